/* Internal helpers shared by the kernel files; not part of the ABI. */
#ifndef E4J_INTERNAL_H
#define E4J_INTERNAL_H
#include "embed4j.h"

/* Sets the thread-local message and returns status. */
int32_t e4j_fail(int32_t status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

extern int32_t e4j_isa;     /* kernel level, see e4j_set_isa_level */
extern int32_t e4j_threads; /* threads per call */
int32_t e4j_isa_level(void);

#endif
