#ifndef KUBE_MCP_CHTTPPARSER_SHIM_H
#define KUBE_MCP_CHTTPPARSER_SHIM_H
#include <http_parser.h>

/* Bit-field accessors: Swift cannot read C bit-fields of http_parser directly in every version. */
static inline unsigned int chttp_errno(const http_parser *p) { return p->http_errno; }
static inline unsigned int chttp_method(const http_parser *p) { return p->method; }
static inline unsigned int chttp_upgrade(const http_parser *p) { return p->upgrade; }
static inline unsigned int chttp_flags(const http_parser *p) { return p->flags; }
#endif
