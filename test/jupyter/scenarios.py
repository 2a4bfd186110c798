# Drives the installed Empathy kernelspec with the Jupyter project's own client (jupyter_client), one
# scenario per run, and prints what the client saw as one JSON object on stdout: the mocha tests
# (jupyterClient.test.ts) assert on it. Usage: python3 scenarios.py SCENARIO (kernel name: empathy-typescript).
import json
import sys
import uuid

from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session

TIMEOUT = 120


def run(kc, code, **kw):
    """Execute and collect every iopub message of this request, then its reply."""
    outputs = []
    reply = kc.execute_interactive(code, output_hook=outputs.append, timeout=TIMEOUT, **kw)
    return {
        'status': reply['content']['status'],
        'execution_count': reply['content'].get('execution_count'),
        'ename': reply['content'].get('ename'),
        'evalue': reply['content'].get('evalue'),
        'iopub': [{'type': m['msg_type'], 'content': m['content']} for m in outputs],
    }


def state(km, kc):
    out = {}
    out['first'] = run(kc, 'const base = await Promise.resolve(40);\nlet total = base;\nconsole.log("base", base)')
    out['second'] = run(kc, 'total += 2;\nawait sleep(5);\ntotal')
    out['throws'] = run(kc, 'const f = () => { throw new RangeError("level out of range") };\nf()')
    out['after_error'] = run(kc, 'total * 10')
    out['silent'] = run(kc, 'console.log("quiet")', silent=True)
    out['after_silent'] = run(kc, 'total')
    out['history'] = kc.history(hist_access_type='tail', n=10, reply=True, timeout=TIMEOUT)['content']
    out['complete'] = kc.complete('total.toFi', 10, reply=True, timeout=TIMEOUT)['content']
    out['inspect'] = kc.inspect('total', 2, reply=True, timeout=TIMEOUT)['content']
    kc.is_complete('for (const x of [1, 2]) {')
    out['is_complete_open'] = kc.get_shell_msg(timeout=TIMEOUT)['content']
    kc.is_complete('total + 1')
    out['is_complete_done'] = kc.get_shell_msg(timeout=TIMEOUT)['content']
    kc.comm_info()
    out['comm_info'] = kc.get_shell_msg(timeout=TIMEOUT)['content']
    return out


def interrupt(km, kc):
    out = {'before': run(kc, 'let kept = 41;\nkept += 1')}
    msg_id = kc.execute('console.log("spinning");\nwhile (true) {}')
    # Interrupt only once the cell is running: its first output says so.
    while True:
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        if m['parent_header'].get('msg_id') == msg_id and m['msg_type'] == 'stream':
            break
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    out['spin_reply'] = {'status': reply['content']['status'], 'ename': reply['content'].get('ename')}
    out['alive'] = km.is_alive()
    out['after'] = run(kc, 'kept')
    return out


def restart(km, kc):
    out = {'before': run(kc, 'const survivor = "before the restart";\nsurvivor')}
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=TIMEOUT)
    out['after'] = run(kc, 'typeof survivor')
    out['again'] = run(kc, 'const survivor = 1;\nsurvivor + 1')
    return out


def bad_signature(km, kc):
    """A message signed with the wrong key (and one with no signature) must not run; a good one still does."""
    out = {}
    for name, key in (('wrong', b'not-the-key'), ('missing', b'')):
        forged = Session(key=key, username='attacker', session=str(uuid.uuid4()))
        msg = forged.msg('execute_request', {'code': 'globalThis.hijacked = "%s"; 1' % name, 'silent': False, 'store_history': True,
                                             'user_expressions': {}, 'allow_stdin': False, 'stop_on_error': True})
        forged.send(kc.shell_channel.socket, msg)
        out[name + '_id'] = msg['header']['msg_id']
    good = kc.execute('typeof (globalThis as any).hijacked')
    replies = []
    while True:
        r = kc.get_shell_msg(timeout=TIMEOUT)
        replies.append(r['parent_header'].get('msg_id'))
        if r['parent_header'].get('msg_id') == good:
            break
    out['replied_to'] = replies
    out['good_id'] = good
    out['check'] = run(kc, 'typeof (globalThis as any).hijacked')
    return out


SCENARIOS = {'state': state, 'interrupt': interrupt, 'restart': restart, 'bad_signature': bad_signature}

if __name__ == '__main__':
    km, kc = start_new_kernel(kernel_name='empathy-typescript', startup_timeout=TIMEOUT)
    try:
        result = SCENARIOS[sys.argv[1]](km, kc)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    print(json.dumps(result))
