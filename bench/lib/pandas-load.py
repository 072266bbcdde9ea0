"""One pandas.read_csv of a file; prints JSON {seconds, cpuSeconds, maxRssMB, rows, columns}."""
import json
import resource
import sys
import time

import pandas as pd

start = time.perf_counter()
cpu_start = time.process_time()
frame = pd.read_csv(sys.argv[1])
seconds = time.perf_counter() - start
cpu_seconds = time.process_time() - cpu_start
# ru_maxrss is in kilobytes on Linux.
max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "cpuSeconds": cpu_seconds, "maxRssMB": max_rss_mb, "rows": len(frame), "columns": frame.shape[1]}))
