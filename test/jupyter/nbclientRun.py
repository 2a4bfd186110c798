# Executes notebooks with the Jupyter project's nbclient on the kernelspec they name (the installed Empathy one), all in one
# Python process (the kernel starts once per notebook, as papermill does), and prints one JSON object:
# per notebook, the seconds it took and the error nbclient raised, if any. The executed notebooks are
# written beside the inputs as NAME.executed.ipynb (jupyterTutorials.test.ts reads them).
# Usage: python3 nbclientRun.py NOTEBOOK.ipynb…
import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient

results = {}
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    # No kernel_name: nbclient starts the kernelspec the notebook names (the export writes empathy-typescript).
    client = NotebookClient(nb, timeout=900, startup_timeout=120,
                            resources={'metadata': {'path': os.path.dirname(os.path.abspath(path))}})
    t0 = time.time()
    error = None
    try:
        client.execute()
    except Exception as e:  # the test reports it with the notebook's name
        error = '%s: %s' % (type(e).__name__, str(e)[-3000:])
    results[os.path.basename(path)] = {'seconds': round(time.time() - t0, 1), 'error': error}
    nbformat.write(nb, path.replace('.ipynb', '.executed.ipynb'))
    # Valid nbformat after execution, as the export was before it.
    nbformat.validate(nb)
print(json.dumps(results))
