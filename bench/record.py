"""Write a bench's figures and ratios to `bench/results/<name>.json` with the machine, the date and the git commit, so a
later change can be compared with an earlier one on the same work (`git log -p bench/results/` shows the history).

    from record import record
    record('bench_labels', {'ratio': 12.7, ...}, args=vars(args))
"""
import datetime, json, os, platform
from pathlib import Path
from valuestudy.reproduce import git_state, package_versions

RESULTS = Path(__file__).resolve().parent/'results'

def cpu_model() -> str:
    "The CPU's model name (Linux), else what `platform` says."
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'): return line.split(':', 1)[1].strip()
    except OSError: pass
    return platform.processor() or platform.machine()

def machine() -> dict:
    "What the numbers were measured on: CPU, cores this process may use, memory, torch threads and GPU."
    import torch
    try: mem = os.sysconf('SC_PAGE_SIZE')*os.sysconf('SC_PHYS_PAGES')/2**30
    except (ValueError, OSError, AttributeError): mem = None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    return {'cpu': cpu_model(), 'cores': cores, 'memory_gib': round(mem, 1) if mem else None,
            'torch_threads': torch.get_num_threads(), 'platform': platform.platform(),
            'gpu': torch.cuda.get_device_name() if torch.cuda.is_available() else None}

def record(name:str, results:dict, args:dict=None) -> Path:
    "Write `results` (numbers, ratios) of bench `name` run with `args` to `bench/results/<name>.json`; returns the path."
    versions = package_versions()
    out = {'bench': name, 'date': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
           'git': git_state(), 'machine': machine(), 'args': args or {},
           'packages': {k: versions.get(k) for k in ('python', 'torch', 'transformers', 'sentence-transformers')},
           'results': results}
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS/f'{name}.json'
    path.write_text(json.dumps(out, indent=1) + '\n')
    print(f"recorded in {path.relative_to(RESULTS.parent.parent)}")
    return path
