const tf=require('@tensorflow/tfjs');
const { BiEncoder } = require('./out/kernel/models/bi-encoder/biEncoder.js');
const { resolvePreset } = require('./out/kernel/models/bi-encoder/config.js');
const { exportBiEncoderOnnx } = require('./out/kernel/models/bi-encoder/onnxExport.js');
const { decodeModel } = require('./out/kernel/engine/onnx/proto.js');
const ort=require('onnxruntime-node'); const fs=require('fs');
(async()=>{
  await tf.setBackend('cpu');
  const net=new BiEncoder(resolvePreset('small'),1);
  const bytes=await exportBiEncoderOnnx(net);
  const count=(m)=>{const c={}; for(const n of m.graph.node){const k=(n.domain||'')+':'+n.opType; c[k]=(c[k]||0)+1;} return c;};
  await ort.InferenceSession.create(bytes,{graphOptimizationLevel:'all', optimizedModelFilePath:'/tmp/onnx15/opt.onnx', intraOpNumThreads:1, logSeverityLevel:3});
  console.log('optimized', JSON.stringify(count(decodeModel(fs.readFileSync('/tmp/onnx15/opt.onnx')))));
})();
