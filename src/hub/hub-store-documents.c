/* hub-store-documents.c — storage of xAPI documents; agent keys; activity definitions
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One table holds the three kinds of documents. Every part of a document's address is
 * NOT NULL ('' when absent) so that the unique constraint treats "no registration" as a
 * value of its own (NULLs never collide in a UNIQUE index). The bytes live in the row:
 * documents are bounded by the server's request size limit.
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include <string.h>

#include "sy-xapi.h"

#include "hub-db.h"
#include "hub-store-documents.h"

const char hub_schema_documents_v1[] =
  "CREATE TABLE documents (\n"
  "  id @SERIAL@,\n"
  "  kind TEXT NOT NULL,\n"                 /* 'state' | 'activity_profile' | 'agent_profile' */
  "  org_id @INT64@ NOT NULL DEFAULT 0,\n"  /* the organisation's namespace, 0 for none */
  "  activity_id TEXT NOT NULL DEFAULT '',\n"
  "  agent_key TEXT NOT NULL DEFAULT '',\n"  /* hub_agent_key() */
  "  registration TEXT NOT NULL DEFAULT '',\n"
  "  doc_id TEXT NOT NULL,\n"               /* stateId or profileId */
  "  content_type TEXT NOT NULL,\n"
  "  body @BLOB@ NOT NULL,\n"
  "  etag TEXT NOT NULL,\n"                 /* SHA-1 of body, hex */
  "  updated_us @INT64@ NOT NULL,\n"
  "  UNIQUE (kind, org_id, activity_id, agent_key, registration, doc_id)\n"
  ");\n"
  /* admins look documents up across organisations */
  "CREATE INDEX documents_address ON documents (kind, activity_id, agent_key, registration, doc_id);\n";

void
hub_document_free (HubDocument *doc)
{
  if (doc == NULL)
    return;
  g_free (doc->content_type);
  g_clear_pointer (&doc->body, g_bytes_unref);
  g_free (doc->etag);
  g_free (doc);
}

const char *
hub_doc_kind_to_string (HubDocKind kind)
{
  switch (kind)
    {
    case HUB_DOC_STATE:
      return "state";
    case HUB_DOC_ACTIVITY_PROFILE:
      return "activity_profile";
    case HUB_DOC_AGENT_PROFILE:
      return "agent_profile";
    default:
      g_assert_not_reached ();
    }
}

char *
hub_document_etag (GBytes *body)
{
  gsize size = 0;
  const guchar *data;

  g_return_val_if_fail (body != NULL, NULL);

  data = g_bytes_get_data (body, &size);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA1, data != NULL ? data : (const guchar *) "",
                                      size);
}

static const char *
or_empty (const char *s)
{
  return s != NULL ? s : "";
}

/* Appends the WHERE clause that addresses @key in @scope, numbering parameters from *@n;
 * bind_address() binds them in the same order. */
static void
append_address (GString           *sql,
                const HubDocKey   *key,
                const HubDocScope *scope,
                gboolean           with_doc_id,
                int               *n)
{
  g_string_append_printf (sql, " WHERE kind = $%d AND activity_id = $%d AND agent_key = $%d"
                          " AND registration = $%d", *n, *n + 1, *n + 2, *n + 3);
  *n += 4;
  if (with_doc_id)
    g_string_append_printf (sql, " AND doc_id = $%d", (*n)++);
  if (!scope->all_orgs)
    g_string_append_printf (sql, " AND org_id = $%d", (*n)++);
}

static void
bind_address (HubDbStmt         *stmt,
              const HubDocKey   *key,
              const HubDocScope *scope,
              gboolean           with_doc_id,
              int               *n)
{
  hub_db_bind_text (stmt, (*n)++, hub_doc_kind_to_string (key->kind));
  hub_db_bind_text (stmt, (*n)++, or_empty (key->activity_id));
  hub_db_bind_text (stmt, (*n)++, or_empty (key->agent_key));
  hub_db_bind_text (stmt, (*n)++, or_empty (key->registration));
  if (with_doc_id)
    hub_db_bind_text (stmt, (*n)++, or_empty (key->doc_id));
  if (!scope->all_orgs)
    hub_db_bind_int64 (stmt, (*n)++, scope->org_id);
}

gboolean
hub_store_document_get (HubDb             *db,
                        const HubDocKey   *key,
                        const HubDocScope *scope,
                        HubDocument      **doc,
                        GError           **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT id, org_id, content_type, body, etag, updated_us"
                                         " FROM documents");
  g_autoptr(GError) local_error = NULL;
  HubDbStmt *stmt;
  HubDocument *found;
  const void *data;
  gsize size = 0;
  int n = 1;

  g_return_val_if_fail (db != NULL && key != NULL && scope != NULL && doc != NULL, FALSE);
  g_return_val_if_fail (key->doc_id != NULL, FALSE);

  *doc = NULL;
  append_address (sql, key, scope, TRUE, &n);
  g_string_append (sql, " ORDER BY updated_us DESC, id DESC LIMIT 1");

  stmt = hub_db_prepare (db, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  n = 1;
  bind_address (stmt, key, scope, TRUE, &n);
  if (!hub_db_step (stmt, &local_error))
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      return TRUE;
    }

  found = g_new0 (HubDocument, 1);
  found->row_id = hub_db_column_int64 (stmt, 0);
  found->org_id = hub_db_column_int64 (stmt, 1);
  found->content_type = g_strdup (hub_db_column_text (stmt, 2));
  data = hub_db_column_blob (stmt, 3, &size);
  found->body = g_bytes_new (data, data != NULL ? size : 0);
  found->etag = g_strdup (hub_db_column_text (stmt, 4));
  found->updated_us = hub_db_column_int64 (stmt, 5);
  hub_db_reset (stmt);

  *doc = found;
  return TRUE;
}

gboolean
hub_store_document_insert (HubDb             *db,
                           const HubDocKey   *key,
                           gint64             org_id,
                           const char        *content_type,
                           GBytes            *body,
                           gint64             now_us,
                           gboolean          *inserted,
                           GError           **error)
{
  g_autofree char *etag = NULL;
  HubDbStmt *stmt;
  const void *data;
  gsize size = 0;
  gint64 changed;

  g_return_val_if_fail (db != NULL && key != NULL && key->doc_id != NULL, FALSE);
  g_return_val_if_fail (content_type != NULL && body != NULL && inserted != NULL, FALSE);

  *inserted = FALSE;
  stmt = hub_db_prepare (db,
                         "INSERT INTO documents (kind, org_id, activity_id, agent_key, registration,"
                         " doc_id, content_type, body, etag, updated_us)"
                         " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                         " ON CONFLICT (kind, org_id, activity_id, agent_key, registration, doc_id)"
                         " DO NOTHING",
                         error);
  if (stmt == NULL)
    return FALSE;

  etag = hub_document_etag (body);
  data = g_bytes_get_data (body, &size);
  hub_db_bind_text (stmt, 1, hub_doc_kind_to_string (key->kind));
  hub_db_bind_int64 (stmt, 2, org_id);
  hub_db_bind_text (stmt, 3, or_empty (key->activity_id));
  hub_db_bind_text (stmt, 4, or_empty (key->agent_key));
  hub_db_bind_text (stmt, 5, or_empty (key->registration));
  hub_db_bind_text (stmt, 6, key->doc_id);
  hub_db_bind_text (stmt, 7, content_type);
  hub_db_bind_blob (stmt, 8, data != NULL ? data : "", size);
  hub_db_bind_text (stmt, 9, etag);
  hub_db_bind_int64 (stmt, 10, now_us);
  changed = hub_db_run (stmt, error);
  if (changed < 0)
    return FALSE;
  *inserted = changed > 0;
  return TRUE;
}

gboolean
hub_store_document_update (HubDb             *db,
                           gint64             row_id,
                           const char        *old_etag,
                           const char        *content_type,
                           GBytes            *body,
                           gint64             now_us,
                           gboolean          *updated,
                           GError           **error)
{
  g_autofree char *etag = NULL;
  HubDbStmt *stmt;
  const void *data;
  gsize size = 0;
  gint64 changed;

  g_return_val_if_fail (db != NULL && old_etag != NULL, FALSE);
  g_return_val_if_fail (content_type != NULL && body != NULL && updated != NULL, FALSE);

  *updated = FALSE;
  stmt = hub_db_prepare (db,
                         "UPDATE documents SET content_type = $1, body = $2, etag = $3, updated_us = $4"
                         " WHERE id = $5 AND etag = $6",
                         error);
  if (stmt == NULL)
    return FALSE;

  etag = hub_document_etag (body);
  data = g_bytes_get_data (body, &size);
  hub_db_bind_text (stmt, 1, content_type);
  hub_db_bind_blob (stmt, 2, data != NULL ? data : "", size);
  hub_db_bind_text (stmt, 3, etag);
  hub_db_bind_int64 (stmt, 4, now_us);
  hub_db_bind_int64 (stmt, 5, row_id);
  hub_db_bind_text (stmt, 6, old_etag);
  changed = hub_db_run (stmt, error);
  if (changed < 0)
    return FALSE;
  *updated = changed > 0;
  return TRUE;
}

gint64
hub_store_document_delete (HubDb             *db,
                           const HubDocKey   *key,
                           const HubDocScope *scope,
                           const char        *etag,
                           GError           **error)
{
  g_autoptr(GString) sql = g_string_new ("DELETE FROM documents");
  gboolean single;
  HubDbStmt *stmt;
  int n = 1, etag_param = 0;

  g_return_val_if_fail (db != NULL && key != NULL && scope != NULL, -1);

  single = key->doc_id != NULL;
  append_address (sql, key, scope, single, &n);
  if (single && etag != NULL)
    {
      etag_param = n;
      g_string_append_printf (sql, " AND etag = $%d", n++);
    }

  stmt = hub_db_prepare (db, sql->str, error);
  if (stmt == NULL)
    return -1;
  n = 1;
  bind_address (stmt, key, scope, single, &n);
  if (etag_param != 0)
    hub_db_bind_text (stmt, etag_param, etag);
  return hub_db_run (stmt, error);
}

GPtrArray *
hub_store_document_ids (HubDb             *db,
                        const HubDocKey   *key,
                        const HubDocScope *scope,
                        gint64             since_us,
                        GError           **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT DISTINCT doc_id FROM documents");
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  HubDbStmt *stmt;
  int n = 1, since_param;

  g_return_val_if_fail (db != NULL && key != NULL && scope != NULL, NULL);

  append_address (sql, key, scope, FALSE, &n);
  since_param = n;
  g_string_append_printf (sql, " AND updated_us > $%d ORDER BY doc_id", n);

  stmt = hub_db_prepare (db, sql->str, error);
  if (stmt == NULL)
    return NULL;
  n = 1;
  bind_address (stmt, key, scope, FALSE, &n);
  hub_db_bind_int64 (stmt, since_param, since_us);
  while (hub_db_step (stmt, &local_error))
    g_ptr_array_add (ids, g_strdup (hub_db_column_text (stmt, 0)));
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_steal_pointer (&ids);
}

/* --- Agents --------------------------------------------------------------------------- */

static const char *
string_member (json_object *obj,
               const char  *name)
{
  json_object *value;

  if (!json_object_object_get_ex (obj, name, &value) || !json_object_is_type (value, json_type_string))
    return NULL;
  return json_object_get_string (value);
}

char *
hub_agent_key (json_object *agent)
{
  static const char * const ifis[] = { "mbox", "mbox_sha1sum", "openid", "account" };
  const char *found = NULL;
  json_object *value;

  if (agent == NULL || !json_object_is_type (agent, json_type_object))
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (ifis); i++)
    if (json_object_object_get_ex (agent, ifis[i], NULL))
      {
        if (found != NULL)
          return NULL;
        found = ifis[i];
      }
  if (found == NULL)
    return NULL;

  if (strcmp (found, "account") == 0)
    {
      const char *home_page, *name;

      json_object_object_get_ex (agent, "account", &value);
      if (!json_object_is_type (value, json_type_object))
        return NULL;
      home_page = string_member (value, "homePage");
      name = string_member (value, "name");
      if (home_page == NULL || name == NULL)
        return NULL;
      return g_strconcat ("account:", home_page, "|", name, NULL);
    }
  else
    {
      const char *s = string_member (agent, found);

      if (s == NULL)
        return NULL;
      if (strcmp (found, "mbox_sha1sum") == 0)
        {
          g_autofree char *lower = g_ascii_strdown (s, -1);
          return g_strconcat (found, ":", lower, NULL);
        }
      return g_strconcat (found, ":", s, NULL);
    }
}

gboolean
hub_agent_validate (json_object *agent,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  json_object *statement, *verb, *object;
  gboolean ok;

  g_return_val_if_fail (agent != NULL, FALSE);

  /* Core validates Agents as parts of statements: give it the smallest statement whose
   * only possible fault is its actor, and name the parameter in the message. */
  statement = json_object_new_object ();
  json_object_object_add (statement, "actor", json_object_get (agent));
  verb = json_object_new_object ();
  json_object_object_add (verb, "id", json_object_new_string ("http://adlnet.gov/expapi/verbs/experienced"));
  json_object_object_add (statement, "verb", verb);
  object = json_object_new_object ();
  json_object_object_add (object, "id", json_object_new_string ("http://example.com/activity"));
  json_object_object_add (statement, "object", object);
  ok = sy_xapi_validate_statement (statement, SY_XAPI_FLAGS_NONE, &local_error);
  json_object_put (statement);

  if (!ok)
    {
      const char *message = local_error->message;

      if (g_str_has_prefix (message, "actor"))
        g_set_error (error, SY_XAPI_ERROR, SY_XAPI_ERROR_INVALID, "agent%s",
                     message + strlen ("actor"));
      else
        g_set_error (error, SY_XAPI_ERROR, SY_XAPI_ERROR_INVALID, "agent: %s", message);
      return FALSE;
    }
  return TRUE;
}

/* --- Activities ----------------------------------------------------------------------- */

/* A copy of @old's members with @new's added over them (one level). */
static json_object *
merge_maps (json_object *old,
            json_object *new)
{
  json_object *merged = json_object_new_object ();

  if (old != NULL && json_object_is_type (old, json_type_object))
    {
      json_object_object_foreach (old, old_key, old_value)
        json_object_object_add (merged, old_key, json_object_get (old_value));
    }
  if (new != NULL && json_object_is_type (new, json_type_object))
    {
      json_object_object_foreach (new, new_key, new_value)
        json_object_object_add (merged, new_key, json_object_get (new_value));
    }
  return merged;
}

json_object *
hub_activity_merge_definition (json_object *old_definition,
                               json_object *new_definition)
{
  static const char * const maps[] = { "name", "description", "extensions" };
  json_object *merged;

  if (old_definition == NULL || !json_object_is_type (old_definition, json_type_object))
    return new_definition != NULL ? json_object_get (new_definition) : NULL;
  if (new_definition == NULL || !json_object_is_type (new_definition, json_type_object))
    return json_object_get (old_definition);

  merged = merge_maps (old_definition, new_definition);
  for (guint i = 0; i < G_N_ELEMENTS (maps); i++)
    {
      json_object *old_map = NULL, *new_map = NULL;

      json_object_object_get_ex (old_definition, maps[i], &old_map);
      json_object_object_get_ex (new_definition, maps[i], &new_map);
      if (old_map != NULL && new_map != NULL &&
          json_object_is_type (old_map, json_type_object) &&
          json_object_is_type (new_map, json_type_object))
        json_object_object_add (merged, maps[i], merge_maps (old_map, new_map));
    }
  return merged;
}
