"""Start llama-cpp-python's OpenAI-compatible server with llama.cpp's extra CPU buffer types off.

On CPUs with AMX (Intel Sapphire Rapids and later) llama.cpp repacks q4 weights for its AMX kernels, and the server
then dies with SIGSEGV on the first prompt longer than a few tokens (llama-cpp-python 0.3.36, found 2026-11-30: a
chat completion crashed it, a 1-token completion did not). The server has no option for it, so this launcher sets
`use_extra_bufts=False` in the default model parameters and runs `python -m llama_cpp.server` with the same arguments.
"""
import runpy, sys
import llama_cpp.llama_cpp as C

_default = C.llama_model_default_params

def _without_extra_buffer_types():
    params = _default(); params.use_extra_bufts = False
    return params

C.llama_model_default_params = _without_extra_buffer_types
sys.argv = ['llama_cpp.server', *sys.argv[1:]]
runpy.run_module('llama_cpp.server', run_name='__main__')
