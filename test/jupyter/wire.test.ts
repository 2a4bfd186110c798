// The Jupyter wire format without a client: a message signs and verifies, any tampered frame, wrong key
// or missing signature is refused; the connection file's bad input is one line naming the field.
import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import { parseConnection } from '../../kernel/jupyter/connection';
import { decode, encode, newHeader, Signer, WireError } from '../../kernel/jupyter/wire';

const KEY = 'a0436f6c-1916-498b-8eb9-e81ab9368e84';
const message = () => ({
  identities: [Buffer.from('client-1')],
  header: newHeader('execute_request', 'sess'),
  parent_header: {},
  metadata: {},
  content: { code: '1 + 1', silent: false },
});

describe('jupyter: wire format and signatures', () => {
  it('round-trips a signed message: identities, header, content', () => {
    const signer = new Signer(KEY);
    const m = decode(encode(message(), signer), signer);
    assert.deepEqual(m.identities.map(String), ['client-1']);
    assert.equal(m.header.msg_type, 'execute_request');
    assert.deepEqual(m.content, { code: '1 + 1', silent: false });
  });

  it('the signature is HMAC-SHA256 (hex) over header, parent, metadata, content', () => {
    const frames = encode(message(), new Signer(KEY));
    const want = createHmac('sha256', KEY).update(frames[3]).update(frames[4]).update(frames[5]).update(frames[6]).digest('hex');
    assert.equal(frames[2].toString(), want);
  });

  it('refuses a wrong key, a tampered content frame and a missing signature', () => {
    const signer = new Signer(KEY);
    assert.throws(() => decode(encode(message(), new Signer('another key')), signer), (e) => e instanceof WireError && /wrong signature/.test(e.message));
    const tampered = encode(message(), signer);
    tampered[6] = Buffer.from(JSON.stringify({ code: 'process.exit(1)', silent: false }));
    assert.throws(() => decode(tampered, signer), /wrong signature/);
    assert.throws(() => decode(encode(message(), new Signer('')), signer), /missing signature/);
    assert.throws(() => decode([Buffer.from('no delimiter')], signer), /delimiter/);
  });

  it('connection file: every port and the scheme are checked, one line naming the field', () => {
    const good = { transport: 'tcp', ip: '127.0.0.1', key: KEY, signature_scheme: 'hmac-sha256', shell_port: 1, control_port: 2, iopub_port: 3, stdin_port: 4, hb_port: 5 };
    assert.equal(parseConnection(JSON.stringify(good), 'c.json').ports.hb, 5);
    assert.throws(() => parseConnection(JSON.stringify({ ...good, hb_port: 'x' }), 'c.json'), /^Error: c\.json: "hb_port" must be a port number \(got "x"\)$/);
    assert.throws(() => parseConnection(JSON.stringify({ ...good, signature_scheme: 'hmac-md5' }), 'c.json'), /c\.json: signature_scheme "hmac-md5" is not supported/);
    assert.throws(() => parseConnection('{', 'c.json'), /c\.json: not JSON/);
  });
});
