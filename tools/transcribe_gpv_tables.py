"""Transcribe GPV's Tables 11–19 (per-LLM measurement results) from the paper's text into a tidy CSV.

    python tools/transcribe_gpv_tables.py GPV_PAPER.txt data/published/gpv_llm_measurements.csv   # the text of arXiv:2409.12106

The paper prints each tool's results in three tables of 6, 6 and 5 models (35 values × 17 LLMs). Rows start with the
inventory name, or with a tab when they continue it; a few rows lost their leading tab in the text (kept in their
inventory). `None` cells (a refusal or invalid answer) stay missing. This script documents the transcription; the
committed CSV is checked by tests/test_gpv_published.py against spot values read from the paper.
"""
import csv, re, sys

TOOLS = {11: 'GPV', 12: 'GPV', 13: 'GPV', 14: 'Self-report', 15: 'Self-report', 16: 'Self-report',
         17: 'ValueBench', 18: 'ValueBench', 19: 'ValueBench'}
INVENTORIES = ('NFCC2000', 'VSM13', 'PVQ40', 'LVI')
FULL = {'inte2': 'internlm2-chat-7b', 'inte': 'internlm-chat-7b', 'Lla2': 'Llama-2-7b-chat-hf', 'ge2b': 'gemma-2b',
        'ge7b': 'gemma-7b', 'Qw4B': 'Qwen1.5-4B-Chat', 'Qw14B': 'Qwen1.5-14B-Chat', 'Qw72B': 'Qwen1.5-72B-Chat',
        'Qw7B': 'Qwen1.5-7B-Chat', 'Qw0.5B': 'Qwen1.5-0.5B-Chat', 'Qw1.8B': 'Qwen1.5-1.8B-Chat', 'gpt4': 'gpt-4-turbo',
        'gpt3.5': 'gpt-3.5-turbo', 'Yi6B': 'Yi-6B-Chat', 'Mis0.1': 'Mistral-7B-Instruct-v0.1',
        'Mis0.2': 'Mistral-7B-Instruct-v0.2', 'vic7b': 'vicuna-7b-v1.5-16k'}

def transcribe(lines):
    "Rows (tool, inventory, value, model, model_full, score, source_table) of Tables 11–19."
    out, header, inv, buf = [], None, None, []
    for line in lines:
        m = re.match(r'^Table (1[1-9]): (GPV|Self-report|ValueBench) measurement results\.', line)
        if m:
            n = int(m.group(1)); assert TOOLS[n] == m.group(2) and header, line
            for inv_, value, scores in buf:
                assert len(scores) == len(header), (n, value, scores)
                for model, s in zip(header, scores):
                    out.append((TOOLS[n], inv_, value, model, FULL[model], '' if s == 'None' else float(s), f'Table {n}'))
            assert len(buf) == 35, (n, len(buf))
            header, buf = None, []; continue
        f = [x.strip() for x in line.rstrip('\n').split('\t')]
        while f and f[-1] == '': f.pop()
        if f[:2] == ['Inventory', 'Value']: header, buf, inv = f[2:], [], None; continue
        if header is None or not f: continue
        if f[0] in INVENTORIES: inv, value, scores = f[0], f[1], f[2:]
        elif f[0] == '': value, scores = f[1], f[2:]
        else: value, scores = f[0], f[1:]
        buf.append((inv, value, scores))
    return out

if __name__ == '__main__':
    src, dst = sys.argv[1:3]
    rows = transcribe(open(src, encoding='utf-8').read().split('\n'))
    with open(dst, 'w', newline='') as fh:
        w = csv.writer(fh, lineterminator='\n')
        w.writerow(['tool', 'inventory', 'value', 'model', 'model_full', 'score', 'source_table'])
        w.writerows(rows)
    print(len(rows), 'rows')
