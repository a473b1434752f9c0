/* hub-store-access.h — organisations, accounts, devices, enrolment codes, learners
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owned by the access part of the hub (hub-store-access.c). Secrets (device credentials,
 * account secrets) are 256-bit random values shown once; only their SHA-256 is stored
 * (they are random, so a slow hash adds nothing) and compared in constant time.
 */
#pragma once

#include "hub-request.h"

G_BEGIN_DECLS

/* Checks Basic credentials NAME:SECRET. Returns a new principal, or NULL with
 * @error unset when the credentials are wrong (the caller answers 401), or NULL with
 * @error set on a database failure. */
HubPrincipal *hub_store_authenticate (HubStore    *store,
                                      const char  *name,
                                      const char  *secret,
                                      GError     **error);
void          hub_principal_free     (HubPrincipal *principal);

/* The organisation a registered learner belongs to: TRUE and *@org_id set when @learner_uuid
 * (the `account.name` of a statement's actor) is registered; FALSE with @error unset when
 * it is not. Call inside the caller's transaction (@db). */
gboolean      hub_store_learner_org  (HubDb       *db,
                                      const char  *learner_uuid,
                                      gint64      *org_id,
                                      GError     **error);


/* Errors of the access part. Messages are complete English sentences for the client. */
#define HUB_ACCESS_ERROR (hub_access_error_quark ())

typedef enum
{
  HUB_ACCESS_ERROR_INVALID,    /* bad input (400) */
  HUB_ACCESS_ERROR_EXISTS,     /* the name is taken */
  HUB_ACCESS_ERROR_CODE,       /* unknown, expired or used enrolment code (403) */
  HUB_ACCESS_ERROR_FORBIDDEN,  /* another organisation's learner (403) */
  HUB_ACCESS_ERROR_NOT_FOUND,  /* no such learner (404) */
  HUB_ACCESS_ERROR_CONFLICT,   /* a learner registered to another organisation (409) */
} HubAccessError;

GQuark        hub_access_error_quark (void);

/* Adds an account (coordinator or admin; @org_name is created if needed, required for a
 * coordinator). *@secret_out receives the generated secret, shown once. */
gboolean      hub_store_user_add     (HubStore    *store,
                                      const char  *name,
                                      HubRole      role,
                                      const char  *org_name,
                                      char       **secret_out,
                                      GError     **error);

/* A new single-use enrolment code for @org_name (created if needed), valid until
 * @expires_us; returns it as shown to people, e.g. "K7QF-M2XD-9R". */
char         *hub_store_enrol_code_create (HubStore   *store,
                                           const char *org_name,
                                           gint64      expires_us,
                                           GError    **error);

/* Exchanges a code (case and hyphens/spaces ignored) for a new device of the code's
 * organisation. HUB_ACCESS_ERROR_CODE when the code is unknown, expired or used. */
gboolean      hub_store_enrol_code_redeem (HubStore   *store,
                                           const char *code,
                                           const char *label,
                                           char      **device_id_out,
                                           char      **secret_out,
                                           char      **org_name_out,
                                           GError    **error);

/* Learners as JSON: {"uuid", "org", "name", "roles": [...], "pin_hash", "external_id",
 * "updated", "registered_by_device"}. */

/* Registers or updates @uuid for @principal (a device or coordinator: its organisation; an
 * admin: @org_name, or the learner's current organisation). @fields holds "name",
 * "roles", "pin_hash", "external_id". *@created tells whether the learner is new. */
json_object  *hub_store_learner_put  (HubStore           *store,
                                      const HubPrincipal *principal,
                                      const char         *uuid,
                                      json_object        *fields,
                                      const char         *org_name,
                                      gboolean           *created,
                                      GError            **error);
json_object  *hub_store_learner_get  (HubStore           *store,
                                      const HubPrincipal *principal,
                                      const char         *uuid,
                                      GError            **error);
/* The learners @principal may see (an admin: all, or @org_name's when not NULL), sorted
 * by uuid, as a JSON array. */
json_object  *hub_store_learner_list (HubStore           *store,
                                      const HubPrincipal *principal,
                                      const char         *org_name,
                                      GError            **error);

/* The lowercase canonical form of a UUID (8-4-4-4-12 hex), or NULL when it is not one. */
char         *hub_uuid_normalize     (const char  *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HubPrincipal, hub_principal_free)

G_END_DECLS
