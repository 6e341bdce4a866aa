/*
 * asan_early.c: preloaded after gcc's libasan by scripts/sanitize-suite.
 *
 * The server binary is not instrumented, so ASan starts lazily, on the first
 * call it intercepts. With the libraries PostgreSQL links, that first call is a
 * malloc made by a library constructor from inside libc's locale code
 * (libgpg-error's bindtextdomain, libp11-kit's newlocale) while it holds a lock;
 * ASan's start calls dlerror, which takes the same lock again, and the process
 * hangs before main (even "postgres -V"). Wrapping the two entry points starts
 * ASan before the lock is taken.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <locale.h>

/* libasan's entry point; calling it again is a no-op. */
extern void __asan_init(void);

/* bindtextdomain, with ASan started first. */
char *
bindtextdomain(const char *domain, const char *dir)
{
	static char *(*real) (const char *, const char *);

	__asan_init();
	if (!real)
		real = (char *(*) (const char *, const char *)) dlsym(RTLD_NEXT, "bindtextdomain");
	return real(domain, dir);
}

/* newlocale, with ASan started first. */
locale_t
newlocale(int mask, const char *name, locale_t base)
{
	static locale_t (*real) (int, const char *, locale_t);

	__asan_init();
	if (!real)
		real = (locale_t (*) (int, const char *, locale_t)) dlsym(RTLD_NEXT, "newlocale");
	return real(mask, name, base);
}
