/*
 * internal_key.h: recon's own join keys for contact data, under a secret pepper.
 */
#ifndef RECON_IDENTITY_INTERNAL_KEY_H
#define RECON_IDENTITY_INTERNAL_KEY_H

/* Registers the recon.internal_key_pepper setting (called from _PG_init). */
extern void recon_internal_key_define_setting(void);

#endif
