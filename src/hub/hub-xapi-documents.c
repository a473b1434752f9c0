/* hub-xapi-documents.c — the xAPI document resources, Agents, Activities and About
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /xapi/activities/state, /xapi/activities/profile and /xapi/agents/profile share one
 * handler, told apart by a Resource description. Rules (xAPI 1.0.3 Communication 2.2–2.7
 * and 3.1, as the ADL conformance suite checks them):
 *
 * - PUT replaces; POST merges when both the stored and the new document are JSON objects
 *   sent as application/json (top-level properties of the new one win), stores when there
 *   is nothing yet, and is refused (400) when either is not a JSON object.
 * - ETags are the quoted SHA-1 of the bytes. If-Match (an ETag list or "*") and
 *   If-None-Match ("*" or a list) are honoured on PUT, POST and DELETE of every resource
 *   (412 when they fail). A profile PUT that names neither is refused: 409 when the
 *   document exists (the client must say which version it replaces), 400 when it does
 *   not (the suite checks both).
 * - GET with the id returns the document with its Content-Type, ETag and Last-Modified
 *   (304 when If-None-Match matches); without it, a JSON array of the ids, optionally only
 *   those written after `since`. DELETE without a stateId deletes all the State documents
 *   of the activity, agent and registration.
 * - Every parameter is checked; unknown ones are refused with 400.
 *
 * Who sees what: documents live in the namespace of the caller's organisation. A device
 * reads and writes its organisation's documents; a coordinator reads them (writes are
 * 403); an admin reads, writes and deletes documents of every organisation, and creates
 * new ones in its own organisation's namespace (none when it has no organisation). The
 * Activities resource is not scoped: activity definitions describe courseware, not
 * learners. The Agents resource only echoes what the caller already knows.
 *
 * Writes are optimistic (see hub-store-documents.h): read, decide, write on the
 * condition that nothing changed, and start again if something did.
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include <string.h>

#include "sy-xapi.h"

#include "hub-server.h"
#include "hub-store-documents.h"

#define MAX_WRITE_ATTEMPTS 20

/* Bounds on the parts of a document's address, in bytes. They keep the unique index
 * entry of a document under PostgreSQL's limit for a B-tree entry (about 2.7 kB). */
#define MAX_ACTIVITY_ID 1024
#define MAX_AGENT_KEY   1024
#define MAX_DOC_ID       512

/* json-c has no autoptr cleanup; a private name avoids clashing with one added later */
typedef json_object DocJson;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocJson, json_object_put)

typedef struct
{
  HubDocKind  kind;
  const char *name;          /* for messages */
  const char *id_param;      /* "stateId" or "profileId" */
  gboolean    has_activity;
  gboolean    has_agent;
  gboolean    has_registration;
  gboolean    needs_precondition;  /* PUT must carry If-Match or If-None-Match */
} Resource;

static const Resource state_resource = {
  HUB_DOC_STATE, "State", "stateId", TRUE, TRUE, TRUE, FALSE,
};
static const Resource activity_profile_resource = {
  HUB_DOC_ACTIVITY_PROFILE, "Activity Profile", "profileId", TRUE, FALSE, FALSE, TRUE,
};
static const Resource agent_profile_resource = {
  HUB_DOC_AGENT_PROFILE, "Agent Profile", "profileId", FALSE, TRUE, FALSE, TRUE,
};

/* --- Helpers -------------------------------------------------------------------------- */

static void
set_header (HubRequest *req,
            const char *name,
            const char *value)
{
  if (req->response_headers == NULL)
    req->response_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  soup_message_headers_replace (req->response_headers, name, value);
}

static void
respond_db_error (HubRequest   *req,
                  const GError *error)
{
  if (g_error_matches (error, HUB_DB_ERROR, HUB_DB_ERROR_BUSY))
    hub_respond_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE,
                       "the database is busy; try again: %s", error->message);
  else
    hub_respond_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "database error: %s",
                       error->message);
}

/* Refuses parameters not in @allowed (NULL-terminated). */
static gboolean
check_params (HubRequest         *req,
              const char * const *allowed,
              const char         *resource)
{
  GHashTableIter iter;
  gpointer name;

  g_hash_table_iter_init (&iter, req->query);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    if (!g_strv_contains (allowed, name))
      {
        g_autofree char *list = g_strjoinv (", ", (char **) allowed);
        hub_respond_error (req, SOUP_STATUS_BAD_REQUEST,
                           "unknown parameter '%s': %s %s takes %s", (const char *) name,
                           req->method, resource, list);
        return FALSE;
      }
  return TRUE;
}

static const char *
require_param (HubRequest *req,
               const char *name,
               const char *resource)
{
  const char *value = hub_request_param (req, name);

  if (value == NULL || *value == '\0')
    {
      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST, "the %s resource needs the parameter '%s'",
                         resource, name);
      return NULL;
    }
  return value;
}

static gboolean
parse_activity_id (HubRequest  *req,
                   const char  *resource,
                   const char **activity_id)
{
  *activity_id = require_param (req, "activityId", resource);
  if (*activity_id == NULL)
    return FALSE;
  if (strlen (*activity_id) > MAX_ACTIVITY_ID)
    {
      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST,
                         "activityId: longer than this hub accepts (%d bytes)", MAX_ACTIVITY_ID);
      return FALSE;
    }
  if (!sy_xapi_is_iri (*activity_id))
    {
      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST,
                         "activityId: '%s' is not an IRI (an activity id needs a scheme, e.g. "
                         "http://…)", *activity_id);
      return FALSE;
    }
  return TRUE;
}

/* Parses and validates the `agent` parameter; *@agent receives it, *@key its key. */
static gboolean
parse_agent (HubRequest   *req,
             const char   *resource,
             json_object **agent,
             char        **key)
{
  g_autoptr(GError) error = NULL;
  json_tokener *tokener;
  json_object *parsed;
  const char *text;
  const char *type;
  json_object *value;

  text = require_param (req, "agent", resource);
  if (text == NULL)
    return FALSE;

  tokener = json_tokener_new ();
  parsed = json_tokener_parse_ex (tokener, text, (int) strlen (text));
  if (parsed == NULL || json_tokener_get_error (tokener) != json_tokener_success ||
      json_tokener_get_parse_end (tokener) != strlen (text))
    {
      enum json_tokener_error jerr = json_tokener_get_error (tokener);

      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST, "agent: the parameter is not JSON (%s)",
                         jerr != json_tokener_success ? json_tokener_error_desc (jerr)
                                                      : "unexpected text after the value");
      json_object_put (parsed);
      json_tokener_free (tokener);
      return FALSE;
    }
  json_tokener_free (tokener);

  if (!json_object_is_type (parsed, json_type_object))
    {
      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST,
                         "agent: the parameter must be an Agent (a JSON object)");
      json_object_put (parsed);
      return FALSE;
    }
  if (json_object_object_get_ex (parsed, "objectType", &value) &&
      json_object_is_type (value, json_type_string))
    {
      type = json_object_get_string (value);
      if (strcmp (type, "Group") == 0)
        {
          hub_respond_error (req, SOUP_STATUS_BAD_REQUEST,
                             "agent: the %s resource takes an Agent, not a Group", resource);
          json_object_put (parsed);
          return FALSE;
        }
    }
  if (!hub_agent_validate (parsed, &error))
    {
      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST, "%s", error->message);
      json_object_put (parsed);
      return FALSE;
    }
  *key = hub_agent_key (parsed);
  g_assert (*key != NULL);
  if (strlen (*key) > MAX_AGENT_KEY)
    {
      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST,
                         "agent: its identifier is longer than this hub accepts (%d bytes)",
                         MAX_AGENT_KEY);
      g_clear_pointer (key, g_free);
      json_object_put (parsed);
      return FALSE;
    }
  *agent = parsed;
  return TRUE;
}

static gboolean
parse_since (HubRequest *req,
             gint64     *since_us)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) time = NULL;
  const char *since = hub_request_param (req, "since");

  *since_us = G_MININT64;
  if (since == NULL)
    return TRUE;
  if (sy_xapi_is_timestamp (since))
    time = g_date_time_new_from_iso8601 (since, utc);
  if (time == NULL)
    {
      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST,
                         "since: '%s' is not an ISO 8601 timestamp (e.g. 2026-11-23T05:00:00Z)",
                         since);
      return FALSE;
    }
  *since_us = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return TRUE;
}

/* "application/json; charset=utf-8" → TRUE */
static gboolean
is_json_media_type (const char *content_type)
{
  g_autofree char *media = NULL;
  const char *semicolon;

  if (content_type == NULL)
    return FALSE;
  semicolon = strchr (content_type, ';');
  media = g_strstrip (g_strndup (content_type, semicolon != NULL ? (gsize) (semicolon - content_type)
                                                                 : strlen (content_type)));
  return g_ascii_strcasecmp (media, "application/json") == 0;
}

/* The bytes as a JSON object, or NULL. */
static json_object *
parse_json_object (GBytes *bytes)
{
  json_tokener *tokener;
  json_object *parsed;
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);

  if (data == NULL || size == 0 || size > G_MAXINT)
    return NULL;
  tokener = json_tokener_new ();
  parsed = json_tokener_parse_ex (tokener, data, (int) size);
  if (parsed != NULL &&
      (json_tokener_get_error (tokener) != json_tokener_success ||
       json_tokener_get_parse_end (tokener) != size ||
       !json_object_is_type (parsed, json_type_object)))
    g_clear_pointer (&parsed, json_object_put);
  json_tokener_free (tokener);
  return parsed;
}

/* Whether the If-Match / If-None-Match value @list ("*", or quoted ETags separated by
 * commas, possibly weak) names @etag (unquoted hex). */
static gboolean
etag_list_matches (const char *list,
                   const char *etag)
{
  g_auto(GStrv) items = g_strsplit (list, ",", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);
      gsize len;

      if (strcmp (item, "*") == 0)
        return TRUE;
      if (g_str_has_prefix (item, "W/"))
        item += 2;
      len = strlen (item);
      if (len >= 2 && item[0] == '"' && item[len - 1] == '"')
        {
          item[len - 1] = '\0';
          item++;
        }
      if (g_ascii_strcasecmp (item, etag) == 0)
        return TRUE;
    }
  return FALSE;
}

static char *
quote_etag (const char *etag)
{
  return g_strdup_printf ("\"%s\"", etag);
}

static void
set_document_headers (HubRequest        *req,
                      const HubDocument *doc)
{
  g_autofree char *quoted = quote_etag (doc->etag);
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (doc->updated_us / G_USEC_PER_SEC);
  g_autofree char *http_date = time != NULL ? soup_date_time_to_string (time, SOUP_DATE_HTTP) : NULL;

  set_header (req, "ETag", quoted);
  if (http_date != NULL)
    set_header (req, "Last-Modified", http_date);
}

/* Checks If-Match and If-None-Match against @doc (NULL when there is none). Answers and
 * returns FALSE when they fail. */
static gboolean
check_preconditions (HubRequest        *req,
                     const Resource    *res,
                     const HubDocument *doc)
{
  const char *if_match = hub_request_header (req, "If-Match");
  const char *if_none_match = hub_request_header (req, "If-None-Match");

  if (if_match != NULL)
    {
      if (doc == NULL)
        {
          hub_respond_error (req, SOUP_STATUS_PRECONDITION_FAILED,
                             "If-Match: there is no such %s document", res->name);
          return FALSE;
        }
      if (!etag_list_matches (if_match, doc->etag))
        {
          hub_respond_error (req, SOUP_STATUS_PRECONDITION_FAILED,
                             "If-Match: the %s document has changed; its ETag is now \"%s\"",
                             res->name, doc->etag);
          return FALSE;
        }
    }
  if (if_none_match != NULL && doc != NULL && etag_list_matches (if_none_match, doc->etag))
    {
      hub_respond_error (req, SOUP_STATUS_PRECONDITION_FAILED,
                         "If-None-Match: the %s document already exists (ETag \"%s\")",
                         res->name, doc->etag);
      return FALSE;
    }
  if (res->needs_precondition && strcmp (req->method, "PUT") == 0 &&
      if_match == NULL && if_none_match == NULL)
    {
      if (doc != NULL)
        hub_respond_error (req, SOUP_STATUS_CONFLICT,
                           "the %s document exists: send If-Match with its ETag (\"%s\") to "
                           "replace it, so that a change made meanwhile is not lost",
                           res->name, doc->etag);
      else
        hub_respond_error (req, SOUP_STATUS_BAD_REQUEST,
                           "a PUT to the %s resource needs If-None-Match: * to create a "
                           "document, or If-Match with the ETag of the one it replaces",
                           res->name);
      return FALSE;
    }
  return TRUE;
}

static HubDocScope
scope_for (HubRequest *req)
{
  HubDocScope scope = { req->principal->org_id, req->principal->role == HUB_ROLE_ADMIN };

  return scope;
}

static gboolean
check_may_write (HubRequest     *req,
                 const Resource *res)
{
  switch (req->principal->role)
    {
    case HUB_ROLE_DEVICE:
    case HUB_ROLE_ADMIN:
      return TRUE;
    case HUB_ROLE_COORDINATOR:
      hub_respond_error (req, SOUP_STATUS_FORBIDDEN,
                         "a coordinator may read %s documents but not change them", res->name);
      return FALSE;
    case HUB_ROLE_NONE:
    default:
      hub_respond_error (req, SOUP_STATUS_UNAUTHORIZED, "authentication required");
      return FALSE;
    }
}

/* --- Document resources --------------------------------------------------------------- */

static void
document_get (HubRequest        *req,
              HubDb             *db,
              const Resource    *res,
              const HubDocKey   *key,
              const HubDocScope *scope)
{
  g_autoptr(GError) error = NULL;

  if (key->doc_id != NULL)
    {
      g_autoptr(HubDocument) doc = NULL;
      const char *if_none_match;

      if (!hub_store_document_get (db, key, scope, &doc, &error))
        {
          respond_db_error (req, error);
          return;
        }
      if (doc == NULL)
        {
          hub_respond_error (req, SOUP_STATUS_NOT_FOUND, "no %s document with %s '%s'",
                             res->name, res->id_param, key->doc_id);
          return;
        }
      set_document_headers (req, doc);
      if_none_match = hub_request_header (req, "If-None-Match");
      if (if_none_match != NULL && etag_list_matches (if_none_match, doc->etag))
        {
          hub_respond_empty (req, SOUP_STATUS_NOT_MODIFIED);
          return;
        }
      hub_respond_bytes (req, SOUP_STATUS_OK, doc->content_type, doc->body);
    }
  else
    {
      g_autoptr(GPtrArray) ids = NULL;
      json_object *array;
      gint64 since_us;

      if (!parse_since (req, &since_us))
        return;
      ids = hub_store_document_ids (db, key, scope, since_us, &error);
      if (ids == NULL)
        {
          respond_db_error (req, error);
          return;
        }
      array = json_object_new_array_ext ((int) ids->len);
      for (guint i = 0; i < ids->len; i++)
        json_object_array_add (array, json_object_new_string (g_ptr_array_index (ids, i)));
      hub_respond_json (req, SOUP_STATUS_OK, array);
    }
}

static void
document_write (HubRequest        *req,
                HubDb             *db,
                const Resource    *res,
                const HubDocKey   *key,
                const HubDocScope *scope)
{
  gboolean merge = strcmp (req->method, "POST") == 0;
  const char *content_type = hub_request_header (req, "Content-Type");
  gboolean new_is_json = is_json_media_type (content_type);
  g_autoptr(DocJson) new_object = NULL;

  if (content_type == NULL || *content_type == '\0')
    content_type = "application/octet-stream";

  if (merge && new_is_json)
    {
      new_object = parse_json_object (req->body);
      if (new_object == NULL)
        {
          hub_respond_error (req, SOUP_STATUS_BAD_REQUEST,
                             "the document is sent as application/json but is not a JSON "
                             "object, so it cannot be merged");
          return;
        }
    }

  for (guint attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HubDocument) doc = NULL;
      g_autoptr(GBytes) body = NULL;
      const char *stored_type = content_type;
      gboolean written = FALSE;
      gint64 now_us = hub_now_us ();

      if (!hub_store_document_get (db, key, scope, &doc, &error))
        {
          respond_db_error (req, error);
          return;
        }
      if (!check_preconditions (req, res, doc))
        return;

      if (merge && doc != NULL)
        {
          g_autoptr(DocJson) old_object = NULL;
          const char *text;
          size_t length = 0;

          if (!new_is_json || !is_json_media_type (doc->content_type))
            {
              hub_respond_error (req, SOUP_STATUS_BAD_REQUEST,
                                 "cannot merge: POST merges JSON objects, and the %s "
                                 "document %s (Content-Type %s); use PUT to replace it",
                                 !new_is_json ? "new" : "stored",
                                 !new_is_json ? "is not application/json" : "is not JSON",
                                 !new_is_json ? content_type : doc->content_type);
              return;
            }
          old_object = parse_json_object (doc->body);
          if (old_object == NULL)
            {
              hub_respond_error (req, SOUP_STATUS_BAD_REQUEST,
                                 "cannot merge: the stored %s document is not a JSON object; "
                                 "use PUT to replace it", res->name);
              return;
            }
          json_object_object_foreach (new_object, name, value)
            json_object_object_add (old_object, name, json_object_get (value));
          text = json_object_to_json_string_length (old_object,
                                                    JSON_C_TO_STRING_PLAIN |
                                                    JSON_C_TO_STRING_NOSLASHESCAPE,
                                                    &length);
          if (req->config != NULL && req->config->max_body > 0 && length > req->config->max_body)
            {
              hub_respond_error (req, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                                 "the merged document would be %zu bytes, more than the hub's "
                                 "limit of %zu", (size_t) length, (size_t) req->config->max_body);
              return;
            }
          body = g_bytes_new (text, length);
          stored_type = "application/json";
        }
      else
        body = g_bytes_ref (req->body);

      if (doc != NULL)
        {
          if (!hub_store_document_update (db, doc->row_id, doc->etag, stored_type, body, now_us,
                                          &written, &error))
            {
              respond_db_error (req, error);
              return;
            }
        }
      else if (!hub_store_document_insert (db, key, scope->org_id, stored_type, body, now_us,
                                           &written, &error))
        {
          respond_db_error (req, error);
          return;
        }

      if (written)
        {
          g_autofree char *etag = hub_document_etag (body);
          g_autofree char *quoted = quote_etag (etag);

          set_header (req, "ETag", quoted);
          hub_respond_empty (req, SOUP_STATUS_NO_CONTENT);
          return;
        }
      /* Another writer changed the document between our read and write: decide again,
       * after a short random pause once it has happened twice, so racers spread out. */
      if (attempt >= 1)
        g_usleep (g_random_int_range (1000, 1000 * (2 << MIN (attempt, 5))));
    }

  hub_respond_error (req, SOUP_STATUS_CONFLICT,
                     "the %s document kept changing while it was being written; try again",
                     res->name);
}

static void
document_delete (HubRequest        *req,
                 HubDb             *db,
                 const Resource    *res,
                 const HubDocKey   *key,
                 const HubDocScope *scope)
{
  g_autoptr(GError) error = NULL;
  gboolean conditional = hub_request_header (req, "If-Match") != NULL ||
                         hub_request_header (req, "If-None-Match") != NULL;

  if (key->doc_id != NULL && conditional)
    {
      g_autoptr(HubDocument) doc = NULL;

      if (!hub_store_document_get (db, key, scope, &doc, &error))
        {
          respond_db_error (req, error);
          return;
        }
      if (!check_preconditions (req, res, doc))
        return;
      if (doc != NULL)
        {
          HubDocScope own = { doc->org_id, FALSE };
          gint64 deleted = hub_store_document_delete (db, key, &own, doc->etag, &error);

          if (deleted < 0)
            {
              respond_db_error (req, error);
              return;
            }
          if (deleted == 0)
            {
              hub_respond_error (req, SOUP_STATUS_PRECONDITION_FAILED,
                                 "the %s document changed while it was being deleted", res->name);
              return;
            }
        }
    }
  else if (hub_store_document_delete (db, key, scope, NULL, &error) < 0)
    {
      respond_db_error (req, error);
      return;
    }
  hub_respond_empty (req, SOUP_STATUS_NO_CONTENT);
}

static void
handle_document (HubRequest     *req,
                 const Resource *res)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DocJson) agent = NULL;
  g_autofree char *agent_key = NULL;
  g_autofree char *registration = NULL;
  const char *allowed[6];
  const char *activity_id = NULL;
  const char *doc_id;
  gboolean is_get = strcmp (req->method, "GET") == 0;
  gboolean is_delete = strcmp (req->method, "DELETE") == 0;
  HubDocScope scope;
  HubDocKey key = { res->kind, NULL, NULL, NULL, NULL };
  HubDb *db;
  guint n = 0;

  if (res->has_activity)
    allowed[n++] = "activityId";
  if (res->has_agent)
    allowed[n++] = "agent";
  if (res->has_registration)
    allowed[n++] = "registration";
  allowed[n++] = res->id_param;
  if (is_get)
    allowed[n++] = "since";
  allowed[n] = NULL;
  if (!check_params (req, allowed, res->name))
    return;

  if (res->has_activity && !parse_activity_id (req, res->name, &activity_id))
    return;
  if (res->has_agent && !parse_agent (req, res->name, &agent, &agent_key))
    return;
  if (res->has_registration && hub_request_param (req, "registration") != NULL)
    {
      const char *value = hub_request_param (req, "registration");

      if (!g_uuid_string_is_valid (value))
        {
          hub_respond_error (req, SOUP_STATUS_BAD_REQUEST,
                             "registration: '%s' is not a UUID", value);
          return;
        }
      registration = g_ascii_strdown (value, -1);
    }

  doc_id = hub_request_param (req, res->id_param);
  if (doc_id != NULL && *doc_id == '\0')
    {
      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST, "%s: must not be empty", res->id_param);
      return;
    }
  if (doc_id != NULL && strlen (doc_id) > MAX_DOC_ID)
    {
      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST, "%s: longer than this hub accepts (%d bytes)",
                         res->id_param, MAX_DOC_ID);
      return;
    }
  /* Only GET (a list) and a State DELETE (all of them) go without the id. */
  if (doc_id == NULL && !is_get && !(is_delete && res->kind == HUB_DOC_STATE))
    {
      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST, "%s %s needs the parameter '%s'",
                         req->method, res->name, res->id_param);
      return;
    }
  if (is_get && doc_id != NULL && hub_request_param (req, "since") != NULL)
    {
      gint64 ignored;

      /* `since` only filters lists, but a malformed one is still an error */
      if (!parse_since (req, &ignored))
        return;
    }

  if (!is_get && !check_may_write (req, res))
    return;

  key.activity_id = activity_id;
  key.agent_key = agent_key;
  key.registration = registration;
  key.doc_id = doc_id;
  scope = scope_for (req);

  db = hub_store_db (req->store, &error);
  if (db == NULL)
    {
      respond_db_error (req, error);
      return;
    }

  if (is_get)
    document_get (req, db, res, &key, &scope);
  else if (is_delete)
    document_delete (req, db, res, &key, &scope);
  else if (strcmp (req->method, "PUT") == 0 || strcmp (req->method, "POST") == 0)
    document_write (req, db, res, &key, &scope);
  else
    hub_respond_error (req, SOUP_STATUS_METHOD_NOT_ALLOWED, "%s does not take %s", req->path,
                       req->method);
}

static void
handle_state (HubRequest *req)
{
  handle_document (req, &state_resource);
}

static void
handle_activity_profile (HubRequest *req)
{
  handle_document (req, &activity_profile_resource);
}

static void
handle_agent_profile (HubRequest *req)
{
  handle_document (req, &agent_profile_resource);
}

/* --- Agents ----------------------------------------------------------------------------- */

static void
add_to_array (json_object *person,
              const char  *name,
              json_object *value)
{
  json_object *array;

  if (!json_object_object_get_ex (person, name, &array))
    {
      array = json_object_new_array ();
      json_object_object_add (person, name, array);
    }
  json_object_array_add (array, value);
}

/* Adds to @person the names the agent gave itself as the actor of the latest statements
 * the caller may read (a bonus: a failure leaves the Person as it is). */
static void
add_known_names (HubRequest  *req,
                 const char  *agent_key,
                 json_object *person)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  json_object *names, *value;
  HubDbStmt *stmt;
  HubDb *db;
  gboolean admin = req->principal->role == HUB_ROLE_ADMIN;

  if (json_object_object_get_ex (person, "name", &names))
    for (size_t i = 0; i < json_object_array_length (names); i++)
      g_hash_table_add (seen, g_strdup (json_object_get_string (json_object_array_get_idx (names, i))));

  db = hub_store_db (req->store, &error);
  if (db == NULL)
    goto failed;
  stmt = hub_db_prepare (db,
                         /* the actor's links, merged or still in the recent table; from the
                          * links to the statements (the other way round walks the org's) */
                         admin ? "SELECT s.json FROM (SELECT a.seq AS seq FROM statement_agents a"
                                 "  WHERE a.agent_key = $1 AND a.relation = 0"
                                 "  UNION ALL SELECT r.seq FROM statement_links_recent r"
                                 "  WHERE r.kind = 0 AND r.link_key = $1 AND r.relation = 0) l"
                                 " JOIN statements s ON s.seq = l.seq"
                                 " ORDER BY l.seq DESC LIMIT 20"
                               : "SELECT s.json FROM (SELECT a.seq AS seq FROM statement_agents a"
                                 "  WHERE a.agent_key = $1 AND a.relation = 0"
                                 "  UNION ALL SELECT r.seq FROM statement_links_recent r"
                                 "  WHERE r.kind = 0 AND r.link_key = $1 AND r.relation = 0) l"
                                 " JOIN statements s ON s.seq = l.seq"
                                 " WHERE s.org_id = $2 ORDER BY l.seq DESC LIMIT 20",
                         &error);
  if (stmt == NULL)
    goto failed;
  hub_db_bind_text (stmt, 1, agent_key);
  if (!admin)
    hub_db_bind_int64 (stmt, 2, req->principal->org_id);
  while (hub_db_step (stmt, &error))
    {
      const char *text = hub_db_column_text (stmt, 0);
      g_autoptr(DocJson) statement = text != NULL ? json_tokener_parse (text) : NULL;
      json_object *actor;

      if (statement != NULL &&
          json_object_object_get_ex (statement, "actor", &actor) &&
          json_object_is_type (actor, json_type_object) &&
          json_object_object_get_ex (actor, "name", &value) &&
          json_object_is_type (value, json_type_string) &&
          !g_hash_table_contains (seen, json_object_get_string (value)))
        {
          g_hash_table_add (seen, g_strdup (json_object_get_string (value)));
          add_to_array (person, "name", json_object_new_string (json_object_get_string (value)));
        }
    }
  if (error == NULL)
    return;

failed:
  g_debug ("Agents resource: no names from statements: %s", error->message);
}

/* GET /xapi/agents?agent=…: the Person the hub knows for that agent. The hub does not
 * link identities (it never learns that two IFIs are one person), so the Person holds the
 * agent's own IFI, its name as given, and the names it had as the actor of statements the
 * caller may read. */
static void
handle_agents (HubRequest *req)
{
  static const char * const allowed[] = { "agent", NULL };
  g_autoptr(DocJson) agent = NULL;
  g_autofree char *agent_key = NULL;
  json_object *person, *value;
  static const char * const ifis[] = { "mbox", "mbox_sha1sum", "openid", "account" };

  if (!check_params (req, allowed, "Agents"))
    return;
  if (!parse_agent (req, "Agents", &agent, &agent_key))
    return;

  person = json_object_new_object ();
  json_object_object_add (person, "objectType", json_object_new_string ("Person"));
  if (json_object_object_get_ex (agent, "name", &value))
    add_to_array (person, "name", json_object_get (value));
  add_known_names (req, agent_key, person);
  for (guint i = 0; i < G_N_ELEMENTS (ifis); i++)
    if (json_object_object_get_ex (agent, ifis[i], &value))
      add_to_array (person, ifis[i], json_object_get (value));
  hub_respond_json (req, SOUP_STATUS_OK, person);
}

/* --- Activities --------------------------------------------------------------------------- */

/* GET /xapi/activities?activityId=…: the definition the statements part keeps (table
 * `activities`, merged from every statement that described the activity), or an Activity
 * with only its id when none is known, as xAPI 1.0.3 asks. */
static void
handle_activities (HubRequest *req)
{
  static const char * const allowed[] = { "activityId", NULL };
  g_autoptr(GError) error = NULL;
  const char *activity_id;
  json_object *activity;
  HubDbStmt *stmt;
  HubDb *db;

  if (!check_params (req, allowed, "Activities"))
    return;
  if (!parse_activity_id (req, "Activities", &activity_id))
    return;

  db = hub_store_db (req->store, &error);
  if (db == NULL)
    {
      respond_db_error (req, error);
      return;
    }
  stmt = hub_db_prepare (db, "SELECT definition FROM activities WHERE activity_id = $1", &error);
  if (stmt == NULL)
    {
      respond_db_error (req, error);
      return;
    }
  hub_db_bind_text (stmt, 1, activity_id);

  activity = json_object_new_object ();
  json_object_object_add (activity, "objectType", json_object_new_string ("Activity"));
  json_object_object_add (activity, "id", json_object_new_string (activity_id));
  if (hub_db_step (stmt, &error))
    {
      const char *text = hub_db_column_is_null (stmt, 0) ? NULL : hub_db_column_text (stmt, 0);
      json_object *definition = text != NULL ? json_tokener_parse (text) : NULL;

      if (definition != NULL && json_object_is_type (definition, json_type_object))
        json_object_object_add (activity, "definition", definition);
      else
        json_object_put (definition);
      hub_db_reset (stmt);
    }
  else if (error != NULL)
    {
      json_object_put (activity);
      respond_db_error (req, error);
      return;
    }
  hub_respond_json (req, SOUP_STATUS_OK, activity);
}

/* --- About ---------------------------------------------------------------------------- */

/* Public and without X-Experience-API-Version: clients ask it which versions we speak
 * before they know. The hub speaks 1.0.3 and accepts the 1.0.x statements of older clients
 * (1.0.x versions differ only in their documents, not on the wire). */
static void
handle_about (HubRequest *req)
{
  static const char * const versions[] = { HUB_XAPI_VERSION, "1.0.2", "1.0.1", "1.0.0" };
  json_object *about, *array, *extensions, *hub;

  about = json_object_new_object ();
  array = json_object_new_array ();
  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    json_object_array_add (array, json_object_new_string (versions[i]));
  json_object_object_add (about, "version", array);

  hub = json_object_new_object ();
  json_object_object_add (hub, "name", json_object_new_string ("shuyuan-hub"));
  json_object_object_add (hub, "version", json_object_new_string (PACKAGE_VERSION));
  extensions = json_object_new_object ();
  json_object_object_add (extensions, "https://shuyuan.invalid/xapi/extensions/hub", hub);
  /* a client may send its bodies with Content-Encoding: gzip (answers are gzip too when
   * it sends Accept-Encoding: gzip) */
  json_object_object_add (extensions, "https://shuyuan.invalid/xapi/gzip-requests",
                          json_object_new_boolean (TRUE));
  json_object_object_add (about, "extensions", extensions);

  set_header (req, "X-Experience-API-Version", HUB_XAPI_VERSION);
  hub_respond_json (req, SOUP_STATUS_OK, about);
}

const HubRoute hub_routes_documents[] = {
  { "GET PUT POST DELETE", "/xapi/activities/state", HUB_ROUTE_AUTH | HUB_ROUTE_XAPI, handle_state },
  { "GET PUT POST DELETE", "/xapi/activities/profile", HUB_ROUTE_AUTH | HUB_ROUTE_XAPI,
    handle_activity_profile },
  { "GET PUT POST DELETE", "/xapi/agents/profile", HUB_ROUTE_AUTH | HUB_ROUTE_XAPI,
    handle_agent_profile },
  { "GET", "/xapi/agents", HUB_ROUTE_AUTH | HUB_ROUTE_XAPI, handle_agents },
  { "GET", "/xapi/activities", HUB_ROUTE_AUTH | HUB_ROUTE_XAPI, handle_activities },
  { "GET", "/xapi/about", HUB_ROUTE_PUBLIC, handle_about },
  { NULL, NULL, 0, NULL },
};
