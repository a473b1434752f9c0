/* hub-store-access.c — organisations, accounts, devices, enrolment codes, learners
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Secrets and enrolment codes are stored only as their SHA-256 (hex). Secrets are 256
 * random bits, so a slow hash would add nothing; codes are short but single use, expire,
 * and their redemption is rate limited per address by the server.
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include <string.h>
#include <sodium.h>

#include "hub-store-access.h"

/* json-c has no g_autoptr support of its own; local names avoid clashing with any
 * later definition for json_object itself. */
typedef json_object AccessJson;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AccessJson, json_object_put)


const char hub_schema_access_v1[] =
  "CREATE TABLE orgs (\n"
  "  id @SERIAL@,\n"
  "  name TEXT NOT NULL UNIQUE,\n"
  "  created_us @INT64@ NOT NULL\n"
  ");\n"
  "CREATE TABLE users (\n"
  "  id @SERIAL@,\n"
  "  name TEXT NOT NULL UNIQUE,\n"
  "  role TEXT NOT NULL,\n"
  "  org_id @INT64@ REFERENCES orgs (id),\n"
  "  secret_sha256 TEXT NOT NULL,\n"
  "  created_us @INT64@ NOT NULL\n"
  ");\n"
  "CREATE TABLE devices (\n"
  "  pk @SERIAL@,\n"
  "  id TEXT NOT NULL UNIQUE,\n"
  "  org_id @INT64@ NOT NULL REFERENCES orgs (id),\n"
  "  secret_sha256 TEXT NOT NULL,\n"
  "  label TEXT,\n"
  "  created_us @INT64@ NOT NULL,\n"
  "  last_seen_us @INT64@\n"
  ");\n"
  "CREATE TABLE enrol_codes (\n"
  "  code_sha256 TEXT PRIMARY KEY,\n"
  "  org_id @INT64@ NOT NULL REFERENCES orgs (id),\n"
  "  created_us @INT64@ NOT NULL,\n"
  "  expires_us @INT64@ NOT NULL,\n"
  "  used_us @INT64@,\n"
  "  used_by_device TEXT\n"
  ");\n"
  "CREATE TABLE learners (\n"
  "  uuid TEXT PRIMARY KEY,\n"
  "  org_id @INT64@ NOT NULL REFERENCES orgs (id),\n"
  "  name TEXT NOT NULL,\n"
  "  roles TEXT NOT NULL,\n"
  "  pin_hash TEXT,\n"
  "  external_id TEXT,\n"
  "  updated_us @INT64@ NOT NULL,\n"
  "  registered_by_device TEXT\n"
  ");\n"
  "CREATE INDEX learners_org ON learners (org_id, uuid);\n";

#define CODE_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#define CODE_LENGTH   10
#define LAST_SEEN_GRANULARITY_US (60 * G_USEC_PER_SEC)

G_DEFINE_QUARK (hub-access-error-quark, hub_access_error)

void
hub_principal_free (HubPrincipal *principal)
{
  if (principal == NULL)
    return;
  g_free (principal->name);
  g_free (principal->org_name);
  g_free (principal);
}

static char *
sha256_hex (const char *text)
{
  guchar digest[crypto_hash_sha256_BYTES];
  char hex[crypto_hash_sha256_BYTES * 2 + 1];

  crypto_hash_sha256 (digest, (const guchar *) text, strlen (text));
  sodium_bin2hex (hex, sizeof hex, digest, sizeof digest);
  return g_strdup (hex);
}

static gboolean
hash_matches (const char *stored_hex,
              const char *secret)
{
  g_autofree char *hash = sha256_hex (secret);

  if (stored_hex == NULL || strlen (stored_hex) != strlen (hash))
    return FALSE;
  return sodium_memcmp (stored_hex, hash, strlen (hash)) == 0;
}

static char *
new_secret (void)
{
  guchar bytes[32];
  char text[sodium_base64_ENCODED_LEN (32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2base64 (text, sizeof text, bytes, sizeof bytes,
                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero (bytes, sizeof bytes);
  return g_strdup (text);
}

static HubRole
role_from_string (const char *text)
{
  if (g_strcmp0 (text, "admin") == 0)
    return HUB_ROLE_ADMIN;
  if (g_strcmp0 (text, "coordinator") == 0)
    return HUB_ROLE_COORDINATOR;
  return HUB_ROLE_NONE;
}

HubPrincipal *
hub_store_authenticate (HubStore    *store,
                        const char  *name,
                        const char  *secret,
                        GError     **error)
{
  HubDb *db;
  HubDbStmt *stmt;
  g_autoptr(HubPrincipal) principal = NULL;
  gint64 last_seen = 0;
  gboolean is_device;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (name != NULL && secret != NULL, NULL);

  db = hub_store_db (store, error);
  if (db == NULL)
    return NULL;

  is_device = g_str_has_prefix (name, "dev-");
  if (!is_device)
    stmt = hub_db_prepare (db,
                           "SELECT u.id, u.role, u.org_id, o.name, u.secret_sha256"
                           " FROM users u LEFT JOIN orgs o ON o.id = u.org_id"
                           " WHERE u.name = $1", error);
  else
    stmt = hub_db_prepare (db,
                           "SELECT d.pk, 'device', d.org_id, o.name, d.secret_sha256,"
                           " d.last_seen_us"
                           " FROM devices d JOIN orgs o ON o.id = d.org_id"
                           " WHERE d.id = $1", error);
  if (stmt == NULL)
    return NULL;
  hub_db_bind_text (stmt, 1, name);
  if (!hub_db_step (stmt, error))
    return NULL;   /* unknown name, or error set */
  if (!hash_matches (hub_db_column_text (stmt, 4), secret))
    {
      hub_db_reset (stmt);
      return NULL;
    }

  principal = g_new0 (HubPrincipal, 1);
  principal->role = is_device ? HUB_ROLE_DEVICE : role_from_string (hub_db_column_text (stmt, 1));
  principal->id = hub_db_column_int64 (stmt, 0);
  principal->name = g_strdup (name);
  principal->org_id = hub_db_column_is_null (stmt, 2) ? 0 : hub_db_column_int64 (stmt, 2);
  principal->org_name = g_strdup (hub_db_column_text (stmt, 3));
  if (is_device)
    last_seen = hub_db_column_is_null (stmt, 5) ? 0 : hub_db_column_int64 (stmt, 5);
  hub_db_reset (stmt);

  if (principal->role == HUB_ROLE_NONE)
    return NULL;

  if (is_device && hub_now_us () - last_seen > LAST_SEEN_GRANULARITY_US)
    {
      g_autoptr(GError) local_error = NULL;

      /* Bookkeeping only: a failure here must not refuse the request. */
      stmt = hub_db_prepare (db, "UPDATE devices SET last_seen_us = $1 WHERE pk = $2",
                             &local_error);
      if (stmt != NULL)
        {
          hub_db_bind_int64 (stmt, 1, hub_now_us ());
          hub_db_bind_int64 (stmt, 2, principal->id);
          hub_db_run (stmt, &local_error);
        }
      if (local_error != NULL)
        g_debug ("cannot record when device %s was last seen: %s", name, local_error->message);
    }
  return g_steal_pointer (&principal);
}

gboolean
hub_store_learner_org (HubDb       *db,
                       const char  *learner_uuid,
                       gint64      *org_id,
                       GError     **error)
{
  g_autofree char *uuid = NULL;
  HubDbStmt *stmt;

  g_return_val_if_fail (db != NULL, FALSE);

  uuid = hub_uuid_normalize (learner_uuid);
  if (uuid == NULL)
    return FALSE;
  stmt = hub_db_prepare (db, "SELECT org_id FROM learners WHERE uuid = $1", error);
  if (stmt == NULL)
    return FALSE;
  hub_db_bind_text (stmt, 1, uuid);
  if (!hub_db_step (stmt, error))
    return FALSE;
  if (org_id != NULL)
    *org_id = hub_db_column_int64 (stmt, 0);
  hub_db_reset (stmt);
  return TRUE;
}

char *
hub_uuid_normalize (const char *text)
{
  static const int dashes[] = { 8, 13, 18, 23 };

  if (text == NULL || strlen (text) != 36)
    return NULL;
  for (int i = 0; i < 36; i++)
    {
      gboolean dash = (i == dashes[0] || i == dashes[1] || i == dashes[2] || i == dashes[3]);

      if (dash ? text[i] != '-' : !g_ascii_isxdigit (text[i]))
        return NULL;
    }
  return g_ascii_strdown (text, -1);
}

/* Organisations */

/* The id of @name, created when @create and missing; 0 with @error unset when missing. */
static gint64
org_lookup (HubDb       *db,
            const char  *name,
            gboolean     create,
            GError     **error)
{
  HubDbStmt *stmt;
  gint64 id;

  stmt = hub_db_prepare (db, "SELECT id FROM orgs WHERE name = $1", error);
  if (stmt == NULL)
    return -1;
  hub_db_bind_text (stmt, 1, name);
  if (hub_db_step (stmt, error))
    {
      id = hub_db_column_int64 (stmt, 0);
      hub_db_reset (stmt);
      return id;
    }
  if (*error != NULL)
    return -1;
  if (!create)
    return 0;

  stmt = hub_db_prepare (db, "INSERT INTO orgs (name, created_us) VALUES ($1, $2) RETURNING id",
                         error);
  if (stmt == NULL)
    return -1;
  hub_db_bind_text (stmt, 1, name);
  hub_db_bind_int64 (stmt, 2, hub_now_us ());
  if (!hub_db_step (stmt, error))
    {
      if (*error == NULL)
        g_set_error (error, HUB_DB_ERROR, HUB_DB_ERROR_FAILED, "cannot create organisation %s", name);
      return -1;
    }
  id = hub_db_column_int64 (stmt, 0);
  hub_db_reset (stmt);
  return id;
}

static gboolean
org_name_is_valid (const char  *name,
                   GError     **error)
{
  if (name == NULL || *name == '\0' || strlen (name) > 200 || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_INVALID,
                   "an organisation name is 1 to 200 characters of UTF-8 text");
      return FALSE;
    }
  return TRUE;
}

/* Users */

typedef struct
{
  const char *name;
  HubRole     role;
  const char *org_name;
  char       *secret;
} UserAdd;

static gboolean
user_add_txn (HubDb     *db,
              gpointer   user_data,
              GError   **error)
{
  UserAdd *add = user_data;
  HubDbStmt *stmt;
  g_autofree char *hash = NULL;
  gint64 org_id = 0;

  if (add->org_name != NULL)
    {
      org_id = org_lookup (db, add->org_name, TRUE, error);
      if (org_id < 0)
        return FALSE;
    }

  stmt = hub_db_prepare (db, "SELECT 1 FROM users WHERE name = $1", error);
  if (stmt == NULL)
    return FALSE;
  hub_db_bind_text (stmt, 1, add->name);
  if (hub_db_step (stmt, error))
    {
      hub_db_reset (stmt);
      g_set_error (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_EXISTS,
                   "there is already a user called %s", add->name);
      return FALSE;
    }
  if (*error != NULL)
    return FALSE;

  g_clear_pointer (&add->secret, g_free);
  add->secret = new_secret ();
  hash = sha256_hex (add->secret);
  stmt = hub_db_prepare (db,
                         "INSERT INTO users (name, role, org_id, secret_sha256, created_us)"
                         " VALUES ($1, $2, $3, $4, $5)", error);
  if (stmt == NULL)
    return FALSE;
  hub_db_bind_text (stmt, 1, add->name);
  hub_db_bind_text (stmt, 2, hub_role_to_string (add->role));
  if (org_id > 0)
    hub_db_bind_int64 (stmt, 3, org_id);
  else
    hub_db_bind_null (stmt, 3);
  hub_db_bind_text (stmt, 4, hash);
  hub_db_bind_int64 (stmt, 5, hub_now_us ());
  return hub_db_run (stmt, error) == 1;
}

gboolean
hub_store_user_add (HubStore    *store,
                    const char  *name,
                    HubRole      role,
                    const char  *org_name,
                    char       **secret_out,
                    GError     **error)
{
  UserAdd add = { name, role, org_name, NULL };

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!g_regex_match_simple ("^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$", name, 0, 0) ||
      g_str_has_prefix (name, "dev-"))
    {
      g_set_error (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_INVALID,
                   "a user name is 1 to 64 letters, digits, '.', '_', '@' or '-', starting "
                   "with a letter or digit, and not with \"dev-\" (device ids use it)");
      return FALSE;
    }
  if (role != HUB_ROLE_ADMIN && role != HUB_ROLE_COORDINATOR)
    {
      g_set_error (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_INVALID,
                   "an account is a coordinator or an admin");
      return FALSE;
    }
  if (role == HUB_ROLE_COORDINATOR && org_name == NULL)
    {
      g_set_error (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_INVALID,
                   "a coordinator belongs to an organisation");
      return FALSE;
    }
  if (org_name != NULL && !org_name_is_valid (org_name, error))
    return FALSE;

  if (!hub_store_transaction (store, user_add_txn, &add, error))
    {
      g_free (add.secret);
      return FALSE;
    }
  *secret_out = add.secret;
  return TRUE;
}

/* Enrolment codes */

/* The code without hyphens or spaces, upper case; NULL when it cannot be one of ours. */
static char *
code_normalize (const char *code)
{
  GString *out = g_string_new (NULL);

  for (const char *p = code; *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);

      if (c == '-' || c == ' ' || c == '\t')
        continue;
      if (strchr (CODE_ALPHABET, c) == NULL || c == '\0')
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      g_string_append_c (out, c);
    }
  if (out->len != CODE_LENGTH)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  const char *org_name;
  gint64      expires_us;
  char       *code;     /* normalized */
} CodeCreate;

static gboolean
code_create_txn (HubDb     *db,
                 gpointer   user_data,
                 GError   **error)
{
  CodeCreate *create = user_data;
  g_autofree char *hash = NULL;
  HubDbStmt *stmt;
  gint64 org_id;
  char code[CODE_LENGTH + 1];

  org_id = org_lookup (db, create->org_name, TRUE, error);
  if (org_id < 0)
    return FALSE;

  for (int i = 0; i < CODE_LENGTH; i++)
    code[i] = CODE_ALPHABET[randombytes_uniform (sizeof CODE_ALPHABET - 1)];
  code[CODE_LENGTH] = '\0';
  hash = sha256_hex (code);

  stmt = hub_db_prepare (db,
                         "INSERT INTO enrol_codes (code_sha256, org_id, created_us, expires_us)"
                         " VALUES ($1, $2, $3, $4)", error);
  if (stmt == NULL)
    return FALSE;
  hub_db_bind_text (stmt, 1, hash);
  hub_db_bind_int64 (stmt, 2, org_id);
  hub_db_bind_int64 (stmt, 3, hub_now_us ());
  hub_db_bind_int64 (stmt, 4, create->expires_us);
  if (hub_db_run (stmt, error) != 1)
    return FALSE;
  g_free (create->code);
  create->code = g_strdup (code);
  return TRUE;
}

char *
hub_store_enrol_code_create (HubStore   *store,
                             const char *org_name,
                             gint64      expires_us,
                             GError    **error)
{
  CodeCreate create = { org_name, expires_us, NULL };

  g_return_val_if_fail (store != NULL, NULL);

  if (!org_name_is_valid (org_name, error))
    return NULL;
  if (!hub_store_transaction (store, code_create_txn, &create, error))
    {
      g_free (create.code);
      return NULL;
    }
  /* "K7QF-M2XD-9R": groups of four, easy to read over the phone */
  {
    g_autofree char *code = create.code;

    return g_strdup_printf ("%.4s-%.4s-%s", code, code + 4, code + 8);
  }
}

typedef struct
{
  const char *code;   /* normalized */
  const char *label;
  char       *device_id;
  char       *secret;
  char       *org_name;
} CodeRedeem;

static gboolean
code_redeem_txn (HubDb     *db,
                 gpointer   user_data,
                 GError   **error)
{
  CodeRedeem *redeem = user_data;
  g_autofree char *hash = sha256_hex (redeem->code);
  g_autofree char *secret_hash = NULL;
  HubDbStmt *stmt;
  gint64 org_id, expires_us, now = hub_now_us ();
  gboolean used;
  guchar id_bytes[12];
  char id_hex[sizeof id_bytes * 2 + 1];

  stmt = hub_db_prepare (db,
                         "SELECT c.org_id, c.expires_us, c.used_us IS NOT NULL, o.name"
                         " FROM enrol_codes c JOIN orgs o ON o.id = c.org_id"
                         " WHERE c.code_sha256 = $1", error);
  if (stmt == NULL)
    return FALSE;
  hub_db_bind_text (stmt, 1, hash);
  if (!hub_db_step (stmt, error))
    {
      if (*error == NULL)
        g_set_error_literal (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_CODE,
                             "this enrolment code is not known to the hub; check it with "
                             "your coordinator");
      return FALSE;
    }
  org_id = hub_db_column_int64 (stmt, 0);
  expires_us = hub_db_column_int64 (stmt, 1);
  used = hub_db_column_int64 (stmt, 2) != 0;
  g_free (redeem->org_name);
  redeem->org_name = g_strdup (hub_db_column_text (stmt, 3));
  hub_db_reset (stmt);

  if (used)
    {
      g_set_error_literal (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_CODE,
                           "this enrolment code has been used already; each code enrols one "
                           "device, ask your coordinator for a new one");
      return FALSE;
    }
  if (expires_us <= now)
    {
      g_autofree char *when = hub_format_time (expires_us);

      g_set_error (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_CODE,
                   "this enrolment code expired at %s; ask your coordinator for a new one", when);
      return FALSE;
    }

  randombytes_buf (id_bytes, sizeof id_bytes);
  sodium_bin2hex (id_hex, sizeof id_hex, id_bytes, sizeof id_bytes);
  g_free (redeem->device_id);
  redeem->device_id = g_strconcat ("dev-", id_hex, NULL);
  g_free (redeem->secret);
  redeem->secret = new_secret ();
  secret_hash = sha256_hex (redeem->secret);

  /* claim the code first: of two redemptions at once, one changes the row */
  stmt = hub_db_prepare (db,
                         "UPDATE enrol_codes SET used_us = $1, used_by_device = $2"
                         " WHERE code_sha256 = $3 AND used_us IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  hub_db_bind_int64 (stmt, 1, now);
  hub_db_bind_text (stmt, 2, redeem->device_id);
  hub_db_bind_text (stmt, 3, hash);
  switch (hub_db_run (stmt, error))
    {
    case 1:
      break;
    case 0:
      g_set_error_literal (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_CODE,
                           "this enrolment code has been used already; each code enrols one "
                           "device, ask your coordinator for a new one");
      return FALSE;
    default:
      return FALSE;
    }

  stmt = hub_db_prepare (db,
                         "INSERT INTO devices (id, org_id, secret_sha256, label, created_us)"
                         " VALUES ($1, $2, $3, $4, $5)", error);
  if (stmt == NULL)
    return FALSE;
  hub_db_bind_text (stmt, 1, redeem->device_id);
  hub_db_bind_int64 (stmt, 2, org_id);
  hub_db_bind_text (stmt, 3, secret_hash);
  hub_db_bind_text (stmt, 4, redeem->label);
  hub_db_bind_int64 (stmt, 5, now);
  return hub_db_run (stmt, error) == 1;
}

gboolean
hub_store_enrol_code_redeem (HubStore   *store,
                             const char *code,
                             const char *label,
                             char      **device_id_out,
                             char      **secret_out,
                             char      **org_name_out,
                             GError    **error)
{
  g_autofree char *normalized = NULL;
  CodeRedeem redeem = { NULL, label, NULL, NULL, NULL };
  gboolean ok;

  g_return_val_if_fail (store != NULL, FALSE);

  normalized = code != NULL ? code_normalize (code) : NULL;
  if (normalized == NULL)
    {
      g_set_error_literal (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_CODE,
                           "this is not an enrolment code: a code has 10 letters and digits, "
                           "like K7QF-M2XD-9R");
      return FALSE;
    }
  redeem.code = normalized;
  ok = hub_store_transaction (store, code_redeem_txn, &redeem, error);
  if (ok)
    {
      *device_id_out = g_steal_pointer (&redeem.device_id);
      *secret_out = g_steal_pointer (&redeem.secret);
      *org_name_out = g_steal_pointer (&redeem.org_name);
    }
  g_free (redeem.device_id);
  g_free (redeem.secret);
  g_free (redeem.org_name);
  return ok;
}

/* Learners */

#define LEARNER_COLUMNS \
  "l.uuid, o.name, l.name, l.roles, l.pin_hash, l.external_id, l.updated_us, " \
  "l.registered_by_device, l.org_id"

static json_object *
learner_from_row (HubDbStmt *stmt)
{
  json_object *learner = json_object_new_object ();
  json_object *roles = json_tokener_parse (hub_db_column_text (stmt, 3));
  g_autofree char *updated = hub_format_time (hub_db_column_int64 (stmt, 6));

  if (roles == NULL || !json_object_is_type (roles, json_type_array))
    {
      json_object_put (roles);
      roles = json_object_new_array ();
    }
  json_object_object_add (learner, "uuid", json_object_new_string (hub_db_column_text (stmt, 0)));
  json_object_object_add (learner, "org", json_object_new_string (hub_db_column_text (stmt, 1)));
  json_object_object_add (learner, "name", json_object_new_string (hub_db_column_text (stmt, 2)));
  json_object_object_add (learner, "roles", roles);
  json_object_object_add (learner, "pin_hash",
                          hub_db_column_is_null (stmt, 4) ? NULL
                          : json_object_new_string (hub_db_column_text (stmt, 4)));
  json_object_object_add (learner, "external_id",
                          hub_db_column_is_null (stmt, 5) ? NULL
                          : json_object_new_string (hub_db_column_text (stmt, 5)));
  json_object_object_add (learner, "updated", json_object_new_string (updated));
  json_object_object_add (learner, "registered_by_device",
                          hub_db_column_is_null (stmt, 7) ? NULL
                          : json_object_new_string (hub_db_column_text (stmt, 7)));
  return learner;
}

static const char *
who (const HubPrincipal *principal)
{
  switch (principal->role)
    {
    case HUB_ROLE_DEVICE:
      return "this device";
    case HUB_ROLE_COORDINATOR:
      return "this coordinator account";
    default:
      return "this account";
    }
}

typedef struct
{
  const HubPrincipal *principal;
  const char         *uuid;
  json_object        *fields;
  const char         *org_name;
  gboolean            created;
  json_object        *result;
} LearnerPut;

static gboolean
learner_fetch (HubDb        *db,
               const char   *uuid,
               json_object **learner,
               gint64       *org_id,
               GError      **error)
{
  HubDbStmt *stmt = hub_db_prepare (db,
                                    "SELECT " LEARNER_COLUMNS
                                    " FROM learners l JOIN orgs o ON o.id = l.org_id"
                                    " WHERE l.uuid = $1", error);

  *learner = NULL;
  if (stmt == NULL)
    return FALSE;
  hub_db_bind_text (stmt, 1, uuid);
  if (!hub_db_step (stmt, error))
    return *error == NULL;
  *learner = learner_from_row (stmt);
  *org_id = hub_db_column_int64 (stmt, 8);
  hub_db_reset (stmt);
  return TRUE;
}

static gboolean
learner_put_txn (HubDb     *db,
                 gpointer   user_data,
                 GError   **error)
{
  LearnerPut *put = user_data;
  const HubPrincipal *principal = put->principal;
  g_autoptr(AccessJson) existing = NULL;
  g_autofree char *roles = NULL;
  json_object *value;
  gint64 existing_org = 0, org_id;
  HubDbStmt *stmt;
  const char *sql;

  if (!learner_fetch (db, put->uuid, &existing, &existing_org, error))
    return FALSE;

  if (principal->role == HUB_ROLE_ADMIN)
    {
      if (put->org_name != NULL)
        {
          org_id = org_lookup (db, put->org_name, FALSE, error);
          if (org_id < 0)
            return FALSE;
          if (org_id == 0)
            {
              g_set_error (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_INVALID,
                           "there is no organisation called %s", put->org_name);
              return FALSE;
            }
        }
      else if (existing != NULL)
        org_id = existing_org;
      else
        {
          g_set_error_literal (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_INVALID,
                               "an admin registering a new learner must name the organisation: "
                               "add \"org\": NAME to the body");
          return FALSE;
        }
    }
  else
    {
      org_id = principal->org_id;
      if (existing != NULL && existing_org != org_id)
        {
          g_set_error (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_CONFLICT,
                       "%s belongs to organisation %s; learner %s is registered to "
                       "organisation %s",
                       who (principal), principal->org_name, put->uuid,
                       json_object_get_string (json_object_object_get (existing, "org")));
          return FALSE;
        }
    }

  roles = g_strdup (json_object_to_json_string_ext (json_object_object_get (put->fields, "roles"),
                                                    JSON_C_TO_STRING_PLAIN));
  if (existing != NULL)
    sql = "UPDATE learners SET org_id = $2, name = $3, roles = $4, pin_hash = $5,"
          " external_id = $6, updated_us = $7 WHERE uuid = $1";
  else
    sql = "INSERT INTO learners (uuid, org_id, name, roles, pin_hash, external_id, updated_us,"
          " registered_by_device) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
  stmt = hub_db_prepare (db, sql, error);
  if (stmt == NULL)
    return FALSE;
  hub_db_bind_text (stmt, 1, put->uuid);
  hub_db_bind_int64 (stmt, 2, org_id);
  hub_db_bind_text (stmt, 3, json_object_get_string (json_object_object_get (put->fields, "name")));
  hub_db_bind_text (stmt, 4, roles);
  value = json_object_object_get (put->fields, "pin_hash");
  hub_db_bind_text (stmt, 5, value != NULL ? json_object_get_string (value) : NULL);
  value = json_object_object_get (put->fields, "external_id");
  hub_db_bind_text (stmt, 6, value != NULL ? json_object_get_string (value) : NULL);
  hub_db_bind_int64 (stmt, 7, hub_now_us ());
  if (existing == NULL)
    hub_db_bind_text (stmt, 8, principal->role == HUB_ROLE_DEVICE ? principal->name : NULL);
  if (hub_db_run (stmt, error) != 1)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, HUB_DB_ERROR, HUB_DB_ERROR_FAILED, "learner %s was not written",
                     put->uuid);
      return FALSE;
    }
  put->created = (existing == NULL);

  g_clear_pointer (&put->result, json_object_put);
  return learner_fetch (db, put->uuid, &put->result, &org_id, error);
}

static gboolean
learner_fields_check (json_object  *fields,
                      GError      **error)
{
  json_object *name, *roles, *pin, *external;

  if (fields == NULL || !json_object_is_type (fields, json_type_object))
    {
      g_set_error_literal (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_INVALID,
                           "the body must be a JSON object with \"name\", \"roles\" and, "
                           "optionally, \"pin_hash\" and \"external_id\"");
      return FALSE;
    }
  name = json_object_object_get (fields, "name");
  if (name == NULL || !json_object_is_type (name, json_type_string) ||
      json_object_get_string_len (name) == 0 || json_object_get_string_len (name) > 200)
    {
      g_set_error_literal (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_INVALID,
                           "\"name\" must be a string of 1 to 200 characters");
      return FALSE;
    }
  roles = json_object_object_get (fields, "roles");
  if (roles != NULL)
    {
      if (!json_object_is_type (roles, json_type_array))
        {
          g_set_error_literal (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_INVALID,
                               "\"roles\" must be an array of strings");
          return FALSE;
        }
      for (size_t i = 0; i < json_object_array_length (roles); i++)
        if (!json_object_is_type (json_object_array_get_idx (roles, i), json_type_string))
          {
            g_set_error (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_INVALID,
                         "\"roles\"[%zu] must be a string", i);
            return FALSE;
          }
    }
  else
    json_object_object_add (fields, "roles", json_object_new_array ());
  pin = json_object_object_get (fields, "pin_hash");
  if (pin != NULL &&
      (!json_object_is_type (pin, json_type_string) ||
       !g_str_has_prefix (json_object_get_string (pin), "$argon2id$") ||
       json_object_get_string_len (pin) > 512))
    {
      g_set_error_literal (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_INVALID,
                           "\"pin_hash\" must be an argon2id hash string (\"$argon2id$…\") or null");
      return FALSE;
    }
  external = json_object_object_get (fields, "external_id");
  if (external != NULL &&
      (!json_object_is_type (external, json_type_string) || json_object_get_string_len (external) > 200))
    {
      g_set_error_literal (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_INVALID,
                           "\"external_id\" must be a string of at most 200 characters, or null");
      return FALSE;
    }
  return TRUE;
}

json_object *
hub_store_learner_put (HubStore           *store,
                       const HubPrincipal *principal,
                       const char         *uuid,
                       json_object        *fields,
                       const char         *org_name,
                       gboolean           *created,
                       GError            **error)
{
  g_autofree char *normalized = hub_uuid_normalize (uuid);
  LearnerPut put = { principal, NULL, fields, org_name, FALSE, NULL };

  g_return_val_if_fail (store != NULL && principal != NULL, NULL);

  if (normalized == NULL)
    {
      g_set_error (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_INVALID,
                   "%s is not a UUID (want 8-4-4-4-12 hexadecimal digits)", uuid);
      return NULL;
    }
  if (principal->role == HUB_ROLE_NONE ||
      (principal->role != HUB_ROLE_ADMIN && principal->org_id == 0))
    {
      g_set_error_literal (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_FORBIDDEN,
                           "this account belongs to no organisation, so it cannot register learners");
      return NULL;
    }
  if (!learner_fields_check (fields, error))
    return NULL;
  put.uuid = normalized;
  if (!hub_store_transaction (store, learner_put_txn, &put, error))
    {
      g_clear_pointer (&put.result, json_object_put);
      return NULL;
    }
  if (created != NULL)
    *created = put.created;
  return put.result;
}

json_object *
hub_store_learner_get (HubStore           *store,
                       const HubPrincipal *principal,
                       const char         *uuid,
                       GError            **error)
{
  g_autofree char *normalized = hub_uuid_normalize (uuid);
  json_object *learner = NULL;
  gint64 org_id = 0;
  HubDb *db;

  g_return_val_if_fail (store != NULL && principal != NULL, NULL);

  if (normalized == NULL)
    {
      g_set_error (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_INVALID,
                   "%s is not a UUID (want 8-4-4-4-12 hexadecimal digits)", uuid);
      return NULL;
    }
  db = hub_store_db (store, error);
  if (db == NULL || !learner_fetch (db, normalized, &learner, &org_id, error))
    return NULL;
  if (learner == NULL)
    {
      g_set_error (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_NOT_FOUND,
                   "no learner %s is registered", normalized);
      return NULL;
    }
  if (principal->role != HUB_ROLE_ADMIN && org_id != principal->org_id)
    {
      g_set_error (error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_FORBIDDEN,
                   "%s belongs to organisation %s; learner %s is registered to organisation %s",
                   who (principal), principal->org_name ? principal->org_name : "(none)",
                   normalized, json_object_get_string (json_object_object_get (learner, "org")));
      json_object_put (learner);
      return NULL;
    }
  return learner;
}

json_object *
hub_store_learner_list (HubStore           *store,
                        const HubPrincipal *principal,
                        const char         *org_name,
                        GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  json_object *list;
  HubDbStmt *stmt;
  HubDb *db;
  gint64 org_id = -1;

  g_return_val_if_fail (store != NULL && principal != NULL, NULL);

  db = hub_store_db (store, error);
  if (db == NULL)
    return NULL;

  if (principal->role != HUB_ROLE_ADMIN)
    {
      if (principal->org_id == 0)
        {
          g_set_error_literal (&local_error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_FORBIDDEN,
                               "this account belongs to no organisation");
          goto fail;
        }
      if (org_name != NULL && g_strcmp0 (org_name, principal->org_name) != 0)
        {
          g_set_error (&local_error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_FORBIDDEN,
                       "%s belongs to organisation %s and cannot list the learners of %s",
                       who (principal), principal->org_name, org_name);
          goto fail;
        }
      org_id = principal->org_id;
    }
  else if (org_name != NULL)
    {
      org_id = org_lookup (db, org_name, FALSE, &local_error);
      if (org_id < 0)
        goto fail;
      if (org_id == 0)
        {
          g_set_error (&local_error, HUB_ACCESS_ERROR, HUB_ACCESS_ERROR_NOT_FOUND,
                       "there is no organisation called %s", org_name);
          goto fail;
        }
    }

  if (org_id >= 0)
    {
      stmt = hub_db_prepare (db, "SELECT " LEARNER_COLUMNS
                             " FROM learners l JOIN orgs o ON o.id = l.org_id"
                             " WHERE l.org_id = $1 ORDER BY l.uuid", &local_error);
      if (stmt != NULL)
        hub_db_bind_int64 (stmt, 1, org_id);
    }
  else
    stmt = hub_db_prepare (db, "SELECT " LEARNER_COLUMNS
                           " FROM learners l JOIN orgs o ON o.id = l.org_id ORDER BY l.uuid",
                           &local_error);
  if (stmt == NULL)
    {
      goto fail;
    }

  list = json_object_new_array ();
  while (hub_db_step (stmt, &local_error))
    json_object_array_add (list, learner_from_row (stmt));
  if (local_error != NULL)
    {
      json_object_put (list);
      goto fail;
    }
  return list;

fail:
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}
