#ifndef KUBE_MCP_CUV_SHIM_H
#define KUBE_MCP_CUV_SHIM_H
#include <uv.h>
#include <stdio.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/resource.h>
#include <signal.h>

/* stdout/stderr are not concurrency-safe globals in Swift 6: reach them through functions. */
static inline FILE *cuv_stderr(void) { return stderr; }
static inline FILE *cuv_stdout(void) { return stdout; }

/* Size of the libuv structures we allocate on the heap. */
static inline size_t cuv_tcp_size(void) { return sizeof(uv_tcp_t); }

/* The calling thread's kernel id (for per-thread nice). */
#include <sys/syscall.h>
static inline long cuv_gettid(void) { return syscall(SYS_gettid); }

/* SIG_IGN is a cast macro Swift cannot import. */
static inline void cuv_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }
static inline size_t cuv_write_size(void) { return sizeof(uv_write_t); }

#endif
