"""The trace summary of tools/bench/trace.py on a hand-made Chromium trace: threads' busy time with
nested tasks counted once, events by name, JavaScript self time from the sampling profiler."""

from __future__ import annotations

from tools.bench.trace import covered, js_self_time, summarise

META = [
    {"ph": "M", "name": "process_name", "pid": 1, "tid": 0, "args": {"name": "Renderer"}},
    {"ph": "M", "name": "thread_name", "pid": 1, "tid": 7, "args": {"name": "CrRendererMain"}},
    {"ph": "M", "name": "process_name", "pid": 2, "tid": 0, "args": {"name": "GPU Process"}},
    {"ph": "M", "name": "thread_name", "pid": 2, "tid": 3, "args": {"name": "CrGpuMain"}},
]
# Renderer main: a 100 ms task holding a nested 40 ms task (10–50 ms) and a 60 ms FunctionCall,
# then a 20 ms task at 200 ms; the GPU process: one 30 ms task. Times in µs.
EVENTS = [
    {"ph": "X", "pid": 1, "tid": 7, "name": "ThreadControllerImpl::RunTask", "ts": 0, "dur": 100_000},
    {"ph": "X", "pid": 1, "tid": 7, "name": "RunTask", "ts": 10_000, "dur": 40_000},
    {"ph": "X", "pid": 1, "tid": 7, "name": "FunctionCall", "ts": 20_000, "dur": 60_000},
    {"ph": "X", "pid": 1, "tid": 7, "name": "ThreadControllerImpl::RunTask", "ts": 200_000, "dur": 20_000},
    {"ph": "X", "pid": 2, "tid": 3, "name": "ThreadControllerImpl::RunTask", "ts": 0, "dur": 30_000},
]
# V8's sampler: node 2 is `draw` in deck.js line 10; samples 2, 2, 1 after 1, 2 and 0.5 ms
PROFILE = [
    {
        "ph": "P",
        "name": "ProfileChunk",
        "pid": 1,
        "tid": 7,
        "id": "0x1",
        "args": {
            "data": {
                "cpuProfile": {
                    "nodes": [
                        {"id": 1, "callFrame": {"functionName": "(root)", "url": "", "lineNumber": -1}},
                        {"id": 2, "callFrame": {"functionName": "draw", "url": "/js/deck.js", "lineNumber": 10}},
                    ],
                    "samples": [2, 2, 1],
                },
                "timeDeltas": [1000, 2000, 500],
            }
        },
    }
]


def test_nested_tasks_are_counted_once():
    assert covered([(0, 100), (10, 50), (200, 220)]) == 120
    assert covered([(0, 10), (5, 20)]) == 20
    assert covered([]) == 0


def test_summary_names_threads_events_and_javascript():
    text = summarise(META + EVENTS + PROFILE)
    lines = text.splitlines()
    assert "       120  Renderer / CrRendererMain" in lines  # 100 ms and 20 ms, the nested task inside
    assert "        30  GPU Process / CrGpuMain" in lines
    assert "        60  Renderer / CrRendererMain: FunctionCall" in lines
    assert js_self_time(PROFILE) == {"draw deck.js:10": 3.0, "(root) :-1": 0.5}
    assert lines[lines.index("JavaScript sampled (self time, ms):") + 1] == "         3  draw deck.js:10"
