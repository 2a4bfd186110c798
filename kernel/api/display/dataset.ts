// The notebook API's dataset display: the payload builder lives at the protocol boundary.
export * from '../../protocol/datasetPayload';
