/* hub-xapi-statements.c — the xAPI 1.0.3 Statement resource: PUT, POST, GET /xapi/statements
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs on a worker thread: parses the request (JSON or multipart/mixed with attachments),
 * validates each statement with sy_xapi_validate_statement(), fills `id`, `authority` and
 * `version`, and hands the batch to the writer (hub-store-statements.c), which stamps
 * `stored`. GET answers single statements and filtered, paged StatementResults; `more`
 * carries the whole query and a cursor, so pages stay valid while statements arrive.
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include <string.h>

#include "sy-xapi.h"

#include "hub-server.h"
#include "hub-store-documents.h"
#include "hub-store-statements.h"

typedef json_object StmtJson;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StmtJson, json_object_put)

#define MAX_LIMIT 500
#define SIGNATURE_USAGE "http://adlnet.gov/expapi/attachments/signature"
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* The request as the handler understands it after the alternate request syntax. */
typedef struct
{
  HubRequest *req;
  const char *method;
  GHashTable *params;        /* borrowed or owned below */
  GHashTable *owned_params;
  GBytes     *body;
  char       *content_type;  /* full header value */
} Ctx;

static void
ctx_clear (Ctx *ctx)
{
  g_clear_pointer (&ctx->owned_params, g_hash_table_unref);
  g_clear_pointer (&ctx->body, g_bytes_unref);
  g_clear_pointer (&ctx->content_type, g_free);
}

static const char *
param (Ctx        *ctx,
       const char *name)
{
  return g_hash_table_lookup (ctx->params, name);
}

static void
set_consistent_through (HubRequest *req)
{
  g_autofree char *through = hub_format_time (hub_statements_consistent_through (req->store));

  soup_message_headers_replace (req->response_headers, "X-Experience-API-Consistent-Through", through);
}

static void
set_last_modified (HubRequest *req,
                   gint64      stored_us)
{
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *text = NULL;

  if (stored_us <= 0)
    return;
  time = g_date_time_new_from_unix_utc (stored_us / G_USEC_PER_SEC);
  text = soup_date_time_to_string (time, SOUP_DATE_HTTP);
  soup_message_headers_replace (req->response_headers, "Last-Modified", text);
}

/* Rejects parameters not in @allowed (NULL-terminated). */
static gboolean
check_params (Ctx               *ctx,
              const char *const *allowed)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, ctx->params);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (!g_strv_contains (allowed, key))
        {
          hub_respond_error (ctx->req, 400, "unknown parameter \"%s\" for %s /xapi/statements",
                             (const char *) key, ctx->method);
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- multipart/mixed ---- */

typedef struct
{
  GHashTable *headers;   /* lower-case name → value */
  const char *data;
  gsize       length;
} Part;

static void
part_free (Part *part)
{
  g_hash_table_unref (part->headers);
  g_free (part);
}

static const char *
find_bytes (const char *haystack,
            gsize       length,
            const char *needle,
            gsize       needle_length)
{
  const char *p = haystack, *end = haystack + length;

  if (needle_length == 0 || needle_length > length)
    return NULL;
  while ((gsize) (end - p) >= needle_length)
    {
      const char *hit = memchr (p, needle[0], (end - p) - needle_length + 1);
      if (hit == NULL)
        return NULL;
      if (memcmp (hit, needle, needle_length) == 0)
        return hit;
      p = hit + 1;
    }
  return NULL;
}

/* Splits @body at "--BOUNDARY" lines. Every part needs a CRLF-ended header block. */
static GPtrArray *
parse_multipart (const char  *body,
                 gsize        length,
                 const char  *boundary,
                 char       **message)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) part_free);
  g_autofree char *delimiter = g_strconcat ("--", boundary, NULL);
  g_autofree char *separator = g_strconcat ("\r\n--", boundary, NULL);
  gsize dlen = strlen (delimiter), slen = strlen (separator);
  const char *end = body + length, *p;

  if (length >= dlen && memcmp (body, delimiter, dlen) == 0)
    p = body + dlen;
  else
    {
      const char *hit = find_bytes (body, length, separator, slen);
      if (hit == NULL)
        {
          *message = g_strdup ("multipart/mixed body does not start with the boundary given in Content-Type");
          return NULL;
        }
      p = hit + slen;
    }

  for (;;)
    {
      const char *headers_end, *next, *line;
      Part *part;

      if (end - p >= 2 && p[0] == '-' && p[1] == '-')
        break;
      while (p < end && (*p == ' ' || *p == '\t'))
        p++;
      if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
        p += 2;
      else
        {
          *message = g_strdup ("multipart/mixed: a boundary line must end with CRLF");
          return NULL;
        }
      part = g_new0 (Part, 1);
      part->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_ptr_array_add (parts, part);
      if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
        headers_end = p;
      else
        {
          headers_end = find_bytes (p, end - p, "\r\n\r\n", 4);
          if (headers_end == NULL)
            {
              *message = g_strdup ("multipart/mixed: a part has no end of headers (empty line)");
              return NULL;
            }
          headers_end += 2;
        }
      for (line = p; line < headers_end;)
        {
          const char *eol = find_bytes (line, headers_end - line + 2, "\r\n", 2);
          const char *colon;

          if (eol == NULL || eol > headers_end)
            break;
          colon = memchr (line, ':', eol - line);
          if (colon == NULL)
            {
              *message = g_strdup ("multipart/mixed: malformed part header");
              return NULL;
            }
          {
            g_autofree char *name = g_strndup (line, colon - line);
            g_hash_table_replace (part->headers, g_ascii_strdown (g_strstrip (name), -1),
                                  g_strstrip (g_strndup (colon + 1, eol - colon - 1)));
          }
          line = eol + 2;
        }
      p = headers_end + 2;
      next = find_bytes (p, end - p, separator, slen);
      if (next == NULL)
        {
          *message = g_strdup ("multipart/mixed: a part is not followed by a boundary");
          return NULL;
        }
      part->data = p;
      part->length = next - p;
      p = next + slen;
      if (parts->len > 10000)
        {
          *message = g_strdup ("multipart/mixed: too many parts");
          return NULL;
        }
    }
  return g_steal_pointer (&parts);
}

static char *
media_type (const char *content_type)
{
  g_autofree char *type = NULL;
  const char *semi;

  if (content_type == NULL)
    return NULL;
  semi = strchr (content_type, ';');
  type = semi != NULL ? g_strndup (content_type, semi - content_type) : g_strdup (content_type);
  return g_ascii_strdown (g_strstrip (type), -1);
}

static char *
content_type_param (const char *content_type,
                    const char *name)
{
  g_auto(GStrv) pieces = g_strsplit (content_type, ";", -1);
  guint i;

  for (i = 1; pieces[i] != NULL; i++)
    {
      char *piece = g_strstrip (pieces[i]);
      char *eq = strchr (piece, '=');
      g_autofree char *key = NULL;

      if (eq == NULL)
        continue;
      {
        g_autofree char *raw = g_strndup (piece, eq - piece);
        key = g_ascii_strdown (g_strstrip (raw), -1);
      }
      if (g_str_equal (key, name))
        {
          char *value = g_strstrip (g_strdup (eq + 1));
          gsize len = strlen (value);

          if (len >= 2 && value[0] == '"' && value[len - 1] == '"')
            {
              memmove (value, value + 1, len - 2);
              value[len - 2] = '\0';
            }
          return value;
        }
    }
  return NULL;
}

/* ---- JSON helpers ---- */

static void
tokener_free (gpointer data)
{
  json_tokener_free (data);
}

static GPrivate worker_tokener = G_PRIVATE_INIT (tokener_free);

static json_object *
parse_json (const char  *text,
            gsize        length,
            char       **message)
{
  json_tokener *tok = g_private_get (&worker_tokener);
  json_object *obj;
  enum json_tokener_error jerr;
  size_t end;

  /* one tokener per worker thread, reused: allocating its 4 KiB stack for every request
   * made glibc consolidate the previous request's freed chunks, which cost more than the
   * parse itself */
  if (tok == NULL)
    {
      tok = json_tokener_new_ex (128);
      g_private_set (&worker_tokener, tok);
    }
  json_tokener_reset (tok);
  obj = json_tokener_parse_ex (tok, text, (int) length);
  jerr = json_tokener_get_error (tok);
  if (obj == NULL && jerr == json_tokener_continue)
    {
      *message = g_strdup_printf ("malformed JSON: unexpected end of input at byte %zu", (size_t) length);
      json_tokener_reset (tok);
      return NULL;
    }
  if (obj == NULL || jerr != json_tokener_success)
    {
      *message = g_strdup_printf ("malformed JSON: %s at byte %zu", json_tokener_error_desc (jerr),
                                  json_tokener_get_parse_end (tok));
      json_object_put (obj);
      json_tokener_reset (tok);
      return NULL;
    }
  end = json_tokener_get_parse_end (tok);
  for (; end < length; end++)
    {
      if (!g_ascii_isspace (text[end]))
        {
          *message = g_strdup_printf ("malformed JSON: unexpected data after the JSON value at byte %zu", end);
          json_object_put (obj);
          return NULL;
        }
    }
  return obj;
}

static const char *
str_member (json_object *obj,
            const char  *key)
{
  json_object *value;

  if (obj == NULL || !json_object_is_type (obj, json_type_object)
      || !json_object_object_get_ex (obj, key, &value) || !json_object_is_type (value, json_type_string))
    return NULL;
  return json_object_get_string (value);
}

static json_object *
obj_member (json_object *obj,
            const char  *key)
{
  json_object *value;

  if (obj == NULL || !json_object_is_type (obj, json_type_object)
      || !json_object_object_get_ex (obj, key, &value) || !json_object_is_type (value, json_type_object))
    return NULL;
  return value;
}

/* contextActivities: a single activity becomes an array of one (the LRS must return arrays).
 * Whether anything changed. */
static gboolean
normalise_context (json_object *context)
{
  json_object *activities = obj_member (context, "contextActivities");
  gboolean changed = FALSE;

  if (activities == NULL)
    return FALSE;
  json_object_object_foreach (activities, kind, value)
    {
      if (json_object_is_type (value, json_type_object))
        {
          json_object *array = json_object_new_array ();
          json_object_array_add (array, json_object_get (value));
          json_object_object_add (activities, kind, array);
          changed = TRUE;
        }
    }
  return changed;
}

static gboolean
normalise_statement (json_object *statement)
{
  json_object *object = obj_member (statement, "object");
  gboolean changed = normalise_context (obj_member (statement, "context"));

  if (g_strcmp0 (str_member (object, "objectType"), "SubStatement") == 0)
    changed |= normalise_context (obj_member (object, "context"));
  return changed;
}

/* ---- JWS (signed statements) ---- */

static guchar *
base64url_decode (const char *text,
                  gsize       length,
                  gsize      *out_len)
{
  g_autoptr(GString) s = g_string_new_len (text, length);
  gsize i;

  for (i = 0; i < s->len; i++)
    {
      if (s->str[i] == '-')
        s->str[i] = '+';
      else if (s->str[i] == '_')
        s->str[i] = '/';
      else if (!g_ascii_isalnum (s->str[i]) && s->str[i] != '+' && s->str[i] != '/' && s->str[i] != '=')
        return NULL;
    }
  while (s->len % 4 != 0)
    g_string_append_c (s, '=');
  return g_base64_decode (s->str, out_len);
}

static gboolean
check_jws (const char  *data,
           gsize        length,
           char       **message)
{
  const char *dot1 = memchr (data, '.', length), *dot2;
  g_autofree guchar *header = NULL;
  g_autofree guchar *payload = NULL;
  g_autoptr(StmtJson) hdr = NULL;
  g_autoptr(StmtJson) body = NULL;
  g_autofree char *ignored = NULL;
  gsize hlen = 0, plen = 0;
  const char *alg;

  dot2 = dot1 != NULL ? memchr (dot1 + 1, '.', data + length - dot1 - 1) : NULL;
  if (dot1 == NULL || dot2 == NULL)
    {
      *message = g_strdup ("the signature attachment is not a JWS (header.payload.signature)");
      return FALSE;
    }
  header = base64url_decode (data, dot1 - data, &hlen);
  payload = base64url_decode (dot1 + 1, dot2 - dot1 - 1, &plen);
  if (header == NULL || payload == NULL
      || (hdr = parse_json ((const char *) header, hlen, &ignored)) == NULL
      || !json_object_is_type (hdr, json_type_object))
    {
      *message = g_strdup ("the signature attachment's JWS header is not valid");
      return FALSE;
    }
  alg = str_member (hdr, "alg");
  if (alg == NULL || !(g_str_equal (alg, "RS256") || g_str_equal (alg, "RS384") || g_str_equal (alg, "RS512")))
    {
      *message = g_strdup_printf ("the signature's algorithm \"%s\" is not RS256, RS384 or RS512", alg ? alg : "");
      return FALSE;
    }
  g_clear_pointer (&ignored, g_free);
  body = parse_json ((const char *) payload, plen, &ignored);
  if (body == NULL || !json_object_is_type (body, json_type_object))
    {
      *message = g_strdup ("the signature's payload is not a JSON serialisation of a statement");
      return FALSE;
    }
  return TRUE;
}

/* ---- rules the conformance suite checks beyond core's validation ---- */

/* context.language is an RFC 5646 tag; revision and platform only describe an Activity
 * object; a definition with correctResponsesPattern needs an interactionType. @prefix is
 * the JSON path of @statement ("" or "object."). Returns a message, or NULL. */
static char *
extra_checks (json_object *statement,
              const char  *prefix)
{
  json_object *context = obj_member (statement, "context");
  json_object *object = obj_member (statement, "object");
  const char *type = str_member (object, "objectType");
  json_object *definition;
  const char *language;

  if (type == NULL)
    type = "Activity";
  if ((language = str_member (context, "language")) != NULL && !sy_xapi_is_language_tag (language))
    return g_strdup_printf ("%scontext.language: \"%s\" is not an RFC 5646 language tag", prefix, language);
  if (context != NULL && !g_str_equal (type, "Activity"))
    {
      if (json_object_object_get_ex (context, "revision", NULL))
        return g_strdup_printf ("%scontext.revision: is only allowed when the object is an Activity, not a %s",
                                prefix, type);
      if (json_object_object_get_ex (context, "platform", NULL))
        return g_strdup_printf ("%scontext.platform: is only allowed when the object is an Activity, not a %s",
                                prefix, type);
    }
  definition = g_str_equal (type, "Activity") ? obj_member (object, "definition") : NULL;
  if (definition != NULL && json_object_object_get_ex (definition, "correctResponsesPattern", NULL)
      && str_member (definition, "interactionType") == NULL)
    return g_strdup_printf ("%sobject.definition.correctResponsesPattern: needs an interactionType", prefix);
  if (g_str_equal (type, "SubStatement") && *prefix == '\0')
    return extra_checks (object, "object.");
  return NULL;
}

/* ---- writes ---- */

static json_object *
make_authority (HubRequest *req)
{
  json_object *agent = json_object_new_object ();
  json_object *account = json_object_new_object ();
  const char *home = req->config != NULL && req->config->public_url != NULL ? req->config->public_url
                                                                            : req->base_url;

  json_object_object_add (account, "homePage", json_object_new_string (home != NULL ? home : "http://localhost"));
  json_object_object_add (account, "name", json_object_new_string (req->principal->name != NULL
                                                                     ? req->principal->name : "unknown"));
  json_object_object_add (agent, "objectType", json_object_new_string ("Agent"));
  json_object_object_add (agent, "account", account);
  return agent;
}

/* Reads the body into statements and attachment parts; answers 400 itself on failure. */
static json_object *
read_statements (Ctx          *ctx,
                 GPtrArray    *parts_out,
                 const char  **json_data,
                 gsize        *json_length)
{
  g_autofree char *type = media_type (ctx->content_type);
  g_autofree char *message = NULL;
  gsize length = 0;
  const char *data = g_bytes_get_data (ctx->body, &length);
  json_object *root;

  if (type == NULL || g_str_equal (type, "application/json"))
    {
      if (length == 0)
        {
          hub_respond_error (ctx->req, 400, "the request has no body; send a statement or an array of statements");
          return NULL;
        }
      root = parse_json (data, length, &message);
      *json_data = data;
      *json_length = length;
    }
  else if (g_str_equal (type, "multipart/mixed"))
    {
      g_autofree char *boundary = content_type_param (ctx->content_type, "boundary");
      g_autoptr(GPtrArray) parts = NULL;
      g_autofree char *first_type = NULL;
      Part *first;
      guint i;

      if (boundary == NULL || *boundary == '\0')
        {
          hub_respond_error (ctx->req, 400, "multipart/mixed without a boundary parameter in Content-Type");
          return NULL;
        }
      parts = parse_multipart (data, length, boundary, &message);
      if (parts == NULL)
        {
          hub_respond_error (ctx->req, 400, "%s", message);
          return NULL;
        }
      if (parts->len == 0)
        {
          hub_respond_error (ctx->req, 400, "multipart/mixed body has no parts");
          return NULL;
        }
      first = g_ptr_array_index (parts, 0);
      first_type = media_type (g_hash_table_lookup (first->headers, "content-type"));
      if (first_type == NULL || !g_str_equal (first_type, "application/json"))
        {
          hub_respond_error (ctx->req, 400, "the first part of a multipart/mixed request must be application/json (the statements)");
          return NULL;
        }
      for (i = 1; i < parts->len; i++)
        {
          Part *part = g_ptr_array_index (parts, i);
          const char *hash = g_hash_table_lookup (part->headers, "x-experience-api-hash");
          const char *encoding = g_hash_table_lookup (part->headers, "content-transfer-encoding");
          g_autofree char *actual = NULL;
          HubAttachmentPart *att;

          if (hash == NULL || *hash == '\0')
            {
              hub_respond_error (ctx->req, 400, "multipart part %u has no X-Experience-API-Hash header", i + 1);
              return NULL;
            }
          if (encoding == NULL || g_ascii_strcasecmp (encoding, "binary") != 0)
            {
              hub_respond_error (ctx->req, 400, "multipart part %u must have Content-Transfer-Encoding: binary", i + 1);
              return NULL;
            }
          actual = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) part->data, part->length);
          if (g_ascii_strcasecmp (actual, hash) != 0)
            {
              hub_respond_error (ctx->req, 400, "multipart part %u: its SHA-256 is %s, not %s as X-Experience-API-Hash says",
                                 i + 1, actual, hash);
              return NULL;
            }
          att = g_new0 (HubAttachmentPart, 1);
          att->sha2 = g_steal_pointer (&actual);
          att->content_type = g_strdup (g_hash_table_lookup (part->headers, "content-type"));
          att->body = g_bytes_new (part->data, part->length);
          g_ptr_array_add (parts_out, att);
        }
      root = parse_json (first->data, first->length, &message);
      *json_data = first->data;
      *json_length = first->length;
    }
  else
    {
      hub_respond_error (ctx->req, 400, "Content-Type %s is not accepted: send application/json or multipart/mixed",
                         type);
      return NULL;
    }
  if (root == NULL)
    {
      hub_respond_error (ctx->req, 400, "%s", message);
      return NULL;
    }
  return root;
}

/* Checks attachments against the parts, the signatures. Answers 400 itself. */
static gboolean
check_attachments (Ctx        *ctx,
                   GPtrArray  *statements,
                   GPtrArray  *parts,
                   gboolean    multipart)
{
  g_autoptr(GHashTable) declared = g_hash_table_new (g_str_hash, g_str_equal);
  guint i, j;

  for (i = 0; i < statements->len; i++)
    {
      json_object *attachments;

      if (!json_object_object_get_ex (g_ptr_array_index (statements, i), "attachments", &attachments)
          || !json_object_is_type (attachments, json_type_array))
        continue;
      for (j = 0; j < json_object_array_length (attachments); j++)
        {
          json_object *att = json_object_array_get_idx (attachments, j);
          const char *sha2 = str_member (att, "sha2");
          const char *url = str_member (att, "fileUrl");
          const char *usage = str_member (att, "usageType");
          HubAttachmentPart *found = NULL;
          guint k;

          if (sha2 == NULL)
            continue;
          g_hash_table_add (declared, (gpointer) sha2);
          for (k = 0; k < parts->len; k++)
            {
              HubAttachmentPart *part = g_ptr_array_index (parts, k);
              if (g_ascii_strcasecmp (part->sha2, sha2) == 0)
                found = part;
            }
          if (g_strcmp0 (usage, SIGNATURE_USAGE) == 0)
            {
              g_autofree char *type = media_type (str_member (att, "contentType"));
              g_autofree char *message = NULL;

              if (g_strcmp0 (type, "application/octet-stream") != 0)
                {
                  hub_respond_error (ctx->req, 400, "statements[%u].attachments[%u]: a signature must have contentType application/octet-stream",
                                     i, j);
                  return FALSE;
                }
              if (found != NULL)
                {
                  gsize size;
                  const char *data = g_bytes_get_data (found->body, &size);
                  if (!check_jws (data != NULL ? data : "", size, &message))
                    {
                      hub_respond_error (ctx->req, 400, "statements[%u].attachments[%u]: %s", i, j, message);
                      return FALSE;
                    }
                }
            }
          if (found == NULL && url == NULL)
            {
              if (multipart)
                hub_respond_error (ctx->req, 400, "statements[%u].attachments[%u]: no multipart part has the sha2 %s, and there is no fileUrl",
                                   i, j, sha2);
              else
                hub_respond_error (ctx->req, 400, "statements[%u].attachments[%u]: the attachment has no fileUrl, so its content must be sent in a multipart/mixed request",
                                   i, j);
              return FALSE;
            }
        }
    }
  for (i = 0; i < parts->len; i++)
    {
      HubAttachmentPart *part = g_ptr_array_index (parts, i);
      GHashTableIter iter;
      gpointer key;
      gboolean matched = FALSE;

      g_hash_table_iter_init (&iter, declared);
      while (!matched && g_hash_table_iter_next (&iter, &key, NULL))
        matched = g_ascii_strcasecmp (key, part->sha2) == 0;
      if (!matched)
        {
          hub_respond_error (ctx->req, 400, "multipart part %u (sha2 %s) matches no attachment of the statements",
                             i + 2, part->sha2);
          return FALSE;
        }
      for (char *c = part->sha2; *c; c++)
        *c = g_ascii_tolower (*c);
    }
  return TRUE;
}

/* ---- the statements' own text ----
 *
 * A statement is stored as the client sent it, compacted, with the members the hub adds
 * ("id", "authority", "version"; the writer adds "stored" and "timestamp") spliced in
 * front, instead of being serialised again from its json-c tree: serialising cost about a
 * tenth of the hub's CPU at batches of 500. Only text that is plain JSON qualifies: the
 * scanner below follows RFC 8259 strictly (json-c's tokener also takes comments, single
 * quotes, NaN, …, which serialising would have turned into JSON), and a statement whose
 * objects repeat a name (the tree kept only the last) or that the hub changes otherwise
 * (a "stored" to drop, an authority to replace, a single context activity to wrap in an
 * array) is serialised from its tree as before. */

typedef struct
{
  const char *p, *end;
  char       *o;        /* the compact copy: never longer than what was read */
  guint       members;  /* names seen in objects */
} Scan;

static gboolean
scan_space (Scan *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
  return s->p < s->end;
}

/* Bytes that stand for themselves inside a JSON string: all but '"', '\\' and controls
 * (filled by statement_texts()). */
static guint8 plain_byte[256];

static gboolean
scan_string (Scan *s)
{
  const char *start = s->p++;

  for (;;)
    {
      const char *end = s->end;
      const char *q = s->p;
      guchar c;

      /* the common bytes, fast */
      while (q < end && plain_byte[(guchar) *q])
        q++;
      s->p = q;
      if (s->p >= s->end)
        return FALSE;
      c = (guchar) *s->p;
      if (c == '"')
        break;
      if (c < 0x20 || s->end - s->p < 2)
        return FALSE;
      c = (guchar) s->p[1];
      if (c == 'u')
        {
          if (s->end - s->p < 6 || !g_ascii_isxdigit (s->p[2]) || !g_ascii_isxdigit (s->p[3])
              || !g_ascii_isxdigit (s->p[4]) || !g_ascii_isxdigit (s->p[5]))
            return FALSE;
          s->p += 6;
        }
      else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't')
        s->p += 2;
      else
        return FALSE;
    }
  s->p++;
  memcpy (s->o, start, s->p - start);
  s->o += s->p - start;
  return TRUE;
}

static gboolean
scan_digits (Scan *s)
{
  const char *start = s->p;

  while (s->p < s->end && g_ascii_isdigit (*s->p))
    s->p++;
  return s->p > start;
}

static gboolean
scan_value (Scan *s,
            guint depth)
{
  const char *start;

  if (depth > 64 || !scan_space (s))
    return FALSE;
  start = s->p;
  switch (*s->p)
    {
    case '"':
      return scan_string (s);
    case '{':
    case '[':
      {
        char close = *s->p == '{' ? '}' : ']';
        gboolean object = close == '}';

        *s->o++ = *s->p++;
        if (!scan_space (s))
          return FALSE;
        if (*s->p == close)
          {
            *s->o++ = *s->p++;
            return TRUE;
          }
        for (;;)
          {
            if (object)
              {
                if (*s->p != '"' || !scan_string (s) || !scan_space (s) || *s->p != ':')
                  return FALSE;
                *s->o++ = *s->p++;
                s->members++;
              }
            if (!scan_value (s, depth + 1) || !scan_space (s))
              return FALSE;
            if (*s->p == close)
              {
                *s->o++ = *s->p++;
                return TRUE;
              }
            if (*s->p != ',')
              return FALSE;
            *s->o++ = *s->p++;
            if (!scan_space (s))
              return FALSE;
          }
      }
    case 't':
    case 'f':
    case 'n':
      {
        const char *word = *s->p == 't' ? "true" : *s->p == 'f' ? "false" : "null";
        gsize len = strlen (word);

        if ((gsize) (s->end - s->p) < len || memcmp (s->p, word, len) != 0)
          return FALSE;
        s->p += len;
        break;
      }
    default:
      /* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
      if (*s->p == '-')
        s->p++;
      if (s->p < s->end && *s->p == '0')
        s->p++;
      else if (!scan_digits (s))
        return FALSE;
      if (s->p < s->end && *s->p == '.')
        {
          s->p++;
          if (!scan_digits (s))
            return FALSE;
        }
      if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
        {
          s->p++;
          if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
          if (!scan_digits (s))
            return FALSE;
        }
      break;
    }
  memcpy (s->o, start, s->p - start);
  s->o += s->p - start;
  return TRUE;
}

/* Object members in @obj and everything under it. */
static guint
count_members (json_object *obj)
{
  guint n = 0;

  if (json_object_is_type (obj, json_type_object))
    {
      n = (guint) json_object_object_length (obj);
      json_object_object_foreach (obj, key, value)
        {
          (void) key;
          n += count_members (value);
        }
    }
  else if (json_object_is_type (obj, json_type_array))
    {
      size_t i, len = json_object_array_length (obj);

      for (i = 0; i < len; i++)
        n += count_members (json_object_array_get_idx (obj, i));
    }
  return n;
}

/* The compact text of each statement of @root (a statement, or an array of them) parsed
 * from @data: NUL-terminated strings in one allocation, *@block, or NULL in a slot whose
 * text cannot be used as it is; NULL when the text as a whole is not plain JSON. */
static GPtrArray *
statement_texts (const char   *data,
                 gsize         length,
                 json_object  *root,
                 char        **block_out)
{
  g_autoptr(GPtrArray) texts = NULL;
  g_autofree char *block = NULL;
  gboolean is_array = json_object_is_type (root, json_type_array);
  gsize expected = is_array ? json_object_array_length (root) : 1;
  Scan s = { data, data + length, NULL, 0 };

  static gsize table_ready = 0;

  if (g_once_init_enter (&table_ready))
    {
      for (guint c = 0x20; c < 256; c++)
        plain_byte[c] = c != '"' && c != '\\';
      g_once_init_leave (&table_ready, 1);
    }
  if (data == NULL || !scan_space (&s))
    return NULL;
  /* the copies and a NUL after each, which takes the place of a separator or of the
   * brackets around the array (a single statement: of one byte more) */
  block = g_malloc (length + 2);
  s.o = block;
  texts = g_ptr_array_sized_new ((guint) expected);
  if (is_array)
    {
      if (*s.p != '[')
        return NULL;
      s.p++;
      if (!scan_space (&s))
        return NULL;
    }
  for (;;)
    {
      guint i = texts->len;
      json_object *statement;
      char *text = s.o;

      if (is_array && i == 0 && *s.p == ']')
        break;
      statement = is_array ? json_object_array_get_idx (root, i) : root;
      if (statement == NULL || !json_object_is_type (statement, json_type_object))
        return NULL;
      s.members = 0;
      if (!scan_value (&s, 0))
        return NULL;
      *s.o++ = '\0';
      /* a name given twice: json-c kept the last value */
      g_ptr_array_add (texts, s.members == count_members (statement) ? text : NULL);
      if (!is_array)
        break;
      if (!scan_space (&s))
        return NULL;
      if (*s.p == ']')
        break;
      if (*s.p != ',')
        return NULL;
      s.p++;
    }
  if (is_array)
    s.p++;
  if (scan_space (&s))
    return NULL;  /* more after the value */
  if (texts->len != expected)
    return NULL;
  *block_out = g_steal_pointer (&block);
  return g_steal_pointer (&texts);
}

/* The statement's stored text: @compact (an object's text, "{…}") with the members the
 * hub added in front. */
static char *
splice_statement (const char *compact,
                  const char *id,
                  const char *authority,
                  gboolean    add_version)
{
  gsize len = strlen (compact);
  GString *out = g_string_sized_new (len + (authority != NULL ? strlen (authority) : 0) + 80);

  g_string_append_c (out, '{');
  if (id != NULL)
    {
      g_string_append (out, "\"id\":\"");
      g_string_append (out, id);
      g_string_append (out, "\",");
    }
  if (authority != NULL)
    {
      g_string_append (out, "\"authority\":");
      g_string_append (out, authority);
      g_string_append_c (out, ',');
    }
  if (add_version)
    g_string_append (out, "\"version\":\"1.0.0\",");
  if (len > 2)
    g_string_append_len (out, compact + 1, len - 1);
  else
    {
      /* "{}": no member after the ones added */
      if (out->len > 1)
        g_string_truncate (out, out->len - 1);
      g_string_append_c (out, '}');
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  HubRequest  *req;
  json_object *ids;  /* a POST's answer; NULL for a PUT */
} WriteReply;

/* On the writer thread (see HubStatementsWrittenFn): the answer, and nothing slow. */
static void
statements_written (HubStatementBatch *batch,
                    gpointer           data)
{
  WriteReply *reply = data;
  HubRequest *req = reply->req;

  if (batch->status != 0)
    hub_respond_error (req, batch->status, "%s", batch->message);
  else if (reply->ids == NULL)
    hub_respond_empty (req, 204);
  else
    hub_respond_json (req, 200, g_steal_pointer (&reply->ids));
  set_consistent_through (req);
  g_clear_pointer (&reply->ids, json_object_put);
  /* hundreds of rows to free: not on the writer's time */
  hub_request_hold_until_done (req, batch, (GDestroyNotify) hub_statement_batch_free);
  g_free (reply);
  hub_request_resume (req);
}

/* TRUE when the statements went to the writer, which answers the request (the caller must
 * not touch it any more); FALSE when answered here. */
static gboolean
handle_write (Ctx        *ctx,
              gboolean    is_put)
{
  HubRequest *req = ctx->req;
  const HubPrincipal *principal = req->principal;
  static const char *const put_params[] = { "statementId", NULL };
  static const char *const post_params[] = { NULL };
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) hub_attachment_part_free);
  g_autoptr(GPtrArray) statements = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(StmtJson) root = NULL;
  g_autoptr(StmtJson) authority = NULL;
  g_autofree char *type = media_type (ctx->content_type);
  g_autoptr(GPtrArray) texts = NULL;
  g_autofree char *texts_block = NULL;
  g_autofree char *authority_text = NULL;
  g_autofree gboolean *added_id = NULL;
  const char *statement_id = NULL;
  const char *json_data = NULL;
  gsize json_length = 0;
  HubStatementBatch *batch;
  WriteReply *reply;
  gboolean is_array;
  guint i;

  if (!check_params (ctx, is_put ? put_params : post_params))
    return FALSE;
  if (principal->role != HUB_ROLE_DEVICE && principal->role != HUB_ROLE_ADMIN)
    {
      hub_respond_error (req, 403, "a %s account may read statements but not write them",
                         hub_role_to_string (principal->role));
      return FALSE;
    }
  if (is_put)
    {
      statement_id = param (ctx, "statementId");
      if (statement_id == NULL)
        {
          hub_respond_error (req, 400, "PUT /xapi/statements needs the statementId parameter");
          return FALSE;
        }
      if (!g_uuid_string_is_valid (statement_id))
        {
          hub_respond_error (req, 400, "statementId \"%s\" is not a UUID", statement_id);
          return FALSE;
        }
    }

  root = read_statements (ctx, parts, &json_data, &json_length);
  if (root == NULL)
    return FALSE;
  is_array = json_object_is_type (root, json_type_array);
  if (is_array && is_put)
    {
      hub_respond_error (req, 400, "PUT /xapi/statements takes one statement, not an array");
      return FALSE;
    }
  if (is_array)
    {
      for (i = 0; i < json_object_array_length (root); i++)
        g_ptr_array_add (statements, json_object_array_get_idx (root, i));
    }
  else
    g_ptr_array_add (statements, root);
  added_id = g_new0 (gboolean, statements->len);
  /* the statements' texts as sent (before the trees change below) */
  texts = statement_texts (json_data, json_length, root, &texts_block);

  for (i = 0; i < statements->len; i++)
    {
      json_object *statement = g_ptr_array_index (statements, i);
      g_autoptr(GError) error = NULL;
      const char *id;

      if (!json_object_is_type (statement, json_type_object))
        {
          hub_respond_error (req, 400, "%s: a statement must be a JSON object", is_array ? "statements[]" : "$");
          return FALSE;
        }
      if (!sy_xapi_validate_statement (statement, SY_XAPI_ALLOW_LRS_PROPERTIES, &error))
        {
          if (is_array)
            hub_respond_error (req, 400, "statements[%u]: %s", i, error->message);
          else
            hub_respond_error (req, 400, "%s", error->message);
          return FALSE;
        }
      {
        g_autofree char *message = extra_checks (statement, "");

        if (message != NULL)
          {
            if (is_array)
              hub_respond_error (req, 400, "statements[%u]: %s", i, message);
            else
              hub_respond_error (req, 400, "%s", message);
            return FALSE;
          }
      }
      id = str_member (statement, "id");
      if (is_put)
        {
          if (id != NULL && g_ascii_strcasecmp (id, statement_id) != 0)
            {
              hub_respond_error (req, 400, "the statement's id %s differs from the statementId parameter %s",
                                 id, statement_id);
              return FALSE;
            }
          if (id == NULL)
            {
              json_object_object_add (statement, "id", json_object_new_string (statement_id));
              added_id[i] = TRUE;
            }
        }
      else if (id == NULL)
        {
          g_autofree char *made = g_uuid_string_random ();
          json_object_object_add (statement, "id", json_object_new_string (made));
          added_id[i] = TRUE;
        }
    }

  if (!check_attachments (ctx, statements, parts, g_strcmp0 (type, "multipart/mixed") == 0))
    return FALSE;

  batch = hub_statement_batch_new ();
  batch->role = principal->role;
  batch->org_id = principal->org_id;
  authority = make_authority (req);
  for (i = 0; i < statements->len; i++)
    {
      json_object *statement = g_ptr_array_index (statements, i);
      HubStatementRow *row = hub_statement_row_new ();
      g_autofree char *lower = g_ascii_strdown (str_member (statement, "id"), -1);
      const char *compact = texts != NULL ? g_ptr_array_index (texts, i) : NULL;
      gboolean had_authority = json_object_object_get_ex (statement, "authority", NULL);
      gboolean add_version = str_member (statement, "version") == NULL;
      gboolean replace_authority;

      if (g_hash_table_contains (seen, lower))
        {
          hub_respond_error (req, 400, "statements[%u]: the id %s appears twice in this request", i, lower);
          hub_statement_row_free (row);
          hub_statement_batch_free (batch);
          return FALSE;
        }
      g_hash_table_add (seen, g_strdup (lower));
      if (json_object_object_get_ex (statement, "stored", NULL))
        {
          compact = NULL;
          json_object_object_del (statement, "stored");
        }
      /* one authority object, shared by the batch's statements (nothing changes it) */
      replace_authority = principal->role != HUB_ROLE_ADMIN || obj_member (statement, "authority") == NULL;
      if (replace_authority)
        {
          if (had_authority)
            compact = NULL;
          json_object_object_add (statement, "authority", json_object_get (authority));
        }
      if (add_version)
        json_object_object_add (statement, "version", json_object_new_string ("1.0.0"));
      if (normalise_statement (statement))
        compact = NULL;
      row->id = g_steal_pointer (&lower);
      if (compact != NULL)
        {
          if (replace_authority && authority_text == NULL)
            authority_text = g_strdup (json_object_to_json_string_ext (authority, JSON_FLAGS));
          row->text = splice_statement (compact, added_id[i] ? str_member (statement, "id") : NULL,
                                        replace_authority ? authority_text : NULL, add_version);
        }
      else
        row->text = g_strdup (json_object_to_json_string_ext (statement, JSON_FLAGS));
      hub_statement_row_index (row, statement);
      g_ptr_array_add (batch->rows, row);
    }
  g_ptr_array_extend_and_steal (batch->attachments, g_steal_pointer (&parts));
  parts = g_ptr_array_new ();
  batch->tree = json_object_get (root);

  reply = g_new0 (WriteReply, 1);
  reply->req = req;
  if (!is_put)
    {
      reply->ids = json_object_new_array_ext ((int) statements->len);
      for (i = 0; i < statements->len; i++)
        json_object_array_add (reply->ids, json_object_new_string (str_member (g_ptr_array_index (statements, i), "id")));
    }
  /* the answer goes out from the writer once the commit is durable; this worker moves on */
  hub_request_suspend (req);
  hub_statements_write (req->store, batch, statements_written, reply);
  return TRUE;
}

/* ---- reads: formats ---- */

static void ids_agent (json_object *agent);

static void
keep_only (json_object       *obj,
           const char *const *keys)
{
  g_autoptr(GPtrArray) drop = g_ptr_array_new_with_free_func (g_free);
  guint i;

  json_object_object_foreach (obj, key, value)
    {
      (void) value;
      if (!g_strv_contains (keys, key))
        g_ptr_array_add (drop, g_strdup (key));
    }
  for (i = 0; i < drop->len; i++)
    json_object_object_del (obj, g_ptr_array_index (drop, i));
}

static void
ids_agent (json_object *agent)
{
  static const char *const agent_keys[] = { "objectType", "mbox", "mbox_sha1sum", "openid", "account", NULL };
  static const char *const group_keys[] = { "objectType", "mbox", "mbox_sha1sum", "openid", "account", "member", NULL };
  g_autofree char *key = NULL;
  json_object *members;

  if (agent == NULL || !json_object_is_type (agent, json_type_object))
    return;
  key = hub_agent_key (agent);
  if (g_strcmp0 (str_member (agent, "objectType"), "Group") == 0 && key == NULL)
    {
      keep_only (agent, group_keys);
      if (json_object_object_get_ex (agent, "member", &members) && json_object_is_type (members, json_type_array))
        {
          size_t i;
          for (i = 0; i < json_object_array_length (members); i++)
            ids_agent (json_object_array_get_idx (members, i));
        }
    }
  else
    keep_only (agent, agent_keys);
}

static void
ids_activity (json_object *activity)
{
  static const char *const keys[] = { "id", NULL };

  if (activity != NULL && json_object_is_type (activity, json_type_object))
    keep_only (activity, keys);
}

static void
ids_context (json_object *context)
{
  json_object *activities;

  if (context == NULL)
    return;
  ids_agent (obj_member (context, "instructor"));
  ids_agent (obj_member (context, "team"));
  activities = obj_member (context, "contextActivities");
  if (activities != NULL)
    {
      json_object_object_foreach (activities, kind, value)
        {
          (void) kind;
          if (json_object_is_type (value, json_type_array))
            {
              size_t i;
              for (i = 0; i < json_object_array_length (value); i++)
                ids_activity (json_object_array_get_idx (value, i));
            }
          else
            ids_activity (value);
        }
    }
}

static void
format_ids (json_object *statement)
{
  static const char *const verb_keys[] = { "id", NULL };
  json_object *object = obj_member (statement, "object");
  json_object *verb = obj_member (statement, "verb");
  const char *type = str_member (object, "objectType");

  ids_agent (obj_member (statement, "actor"));
  ids_agent (obj_member (statement, "authority"));
  if (verb != NULL)
    keep_only (verb, verb_keys);
  if (type == NULL || g_str_equal (type, "Activity"))
    ids_activity (object);
  else if (g_str_equal (type, "Agent") || g_str_equal (type, "Group"))
    ids_agent (object);
  else if (g_str_equal (type, "SubStatement"))
    format_ids (object);
  ids_context (obj_member (statement, "context"));
}

/* Accept-Language → tags in order of preference. */
static GPtrArray *
parse_accept_language (const char *header)
{
  GPtrArray *tags = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) weights = g_array_new (FALSE, FALSE, sizeof (double));
  g_auto(GStrv) items = NULL;
  guint i, j;

  if (header == NULL)
    return tags;
  items = g_strsplit (header, ",", 32);
  for (i = 0; items[i] != NULL; i++)
    {
      g_auto(GStrv) bits = g_strsplit (items[i], ";", 4);
      char *tag = g_strstrip (bits[0]);
      double q = 1.0;

      if (*tag == '\0')
        continue;
      for (j = 1; bits[j] != NULL; j++)
        {
          char *b = g_strstrip (bits[j]);
          if (g_str_has_prefix (b, "q="))
            q = g_ascii_strtod (b + 2, NULL);
        }
      /* insertion sort, stable */
      for (j = 0; j < tags->len && g_array_index (weights, double, j) >= q; j++)
        ;
      g_ptr_array_insert (tags, j, g_strdup (tag));
      g_array_insert_val (weights, j, q);
    }
  return tags;
}

static gboolean
is_language_map (json_object *obj)
{
  if (!json_object_is_type (obj, json_type_object) || json_object_object_length (obj) == 0)
    return FALSE;
  json_object_object_foreach (obj, k, v)
    {
      (void) k;
      if (!json_object_is_type (v, json_type_string))
        return FALSE;
    }
  return TRUE;
}

static void
canonical_map (json_object *map,
               GPtrArray   *tags)
{
  const char *chosen = NULL;
  guint i;

  if (json_object_object_length (map) <= 1)
    return;
  for (i = 0; i < tags->len && chosen == NULL; i++)
    {
      const char *tag = g_ptr_array_index (tags, i);
      json_object_object_foreach (map, k, v)
        {
          (void) v;
          if (chosen == NULL && (g_str_equal (tag, "*") || g_ascii_strcasecmp (k, tag) == 0))
            chosen = k;
        }
      if (chosen == NULL)
        {
          gsize len = strcspn (tag, "-");
          json_object_object_foreach (map, k2, v2)
            {
              (void) v2;
              if (chosen == NULL && g_ascii_strncasecmp (k2, tag, len) == 0
                  && (k2[len] == '\0' || k2[len] == '-'))
                chosen = k2;
            }
        }
    }
  if (chosen == NULL)
    {
      json_object_object_foreach (map, k, v)
        {
          (void) v;
          if (chosen == NULL && g_ascii_strncasecmp (k, "en", 2) == 0)
            chosen = k;
        }
    }
  if (chosen == NULL)
    {
      json_object_object_foreach (map, k, v)
        {
          (void) v;
          if (chosen == NULL)
            chosen = k;
        }
    }
  {
    g_autofree char *keep = g_strdup (chosen);
    const char *const keys[] = { keep, NULL };
    keep_only (map, keys);
  }
}

static void
format_canonical (json_object *node,
                  GPtrArray   *tags)
{
  if (json_object_is_type (node, json_type_array))
    {
      size_t i;
      for (i = 0; i < json_object_array_length (node); i++)
        format_canonical (json_object_array_get_idx (node, i), tags);
      return;
    }
  if (!json_object_is_type (node, json_type_object))
    return;
  json_object_object_foreach (node, key, value)
    {
      if (g_str_equal (key, "extensions"))
        continue;
      if ((g_str_equal (key, "display") || g_str_equal (key, "name") || g_str_equal (key, "description"))
          && is_language_map (value))
        canonical_map (value, tags);
      else
        format_canonical (value, tags);
    }
}

static void
collect_sha2 (json_object *statement,
              GPtrArray   *sha2s)
{
  json_object *attachments;
  size_t i;
  guint k;

  if (!json_object_object_get_ex (statement, "attachments", &attachments)
      || !json_object_is_type (attachments, json_type_array))
    return;
  for (i = 0; i < json_object_array_length (attachments); i++)
    {
      const char *sha2 = str_member (json_object_array_get_idx (attachments, i), "sha2");
      gboolean dup = FALSE;

      if (sha2 == NULL)
        continue;
      for (k = 0; k < sha2s->len; k++)
        dup = dup || g_ascii_strcasecmp (g_ptr_array_index (sha2s, k), sha2) == 0;
      if (!dup)
        g_ptr_array_add (sha2s, g_ascii_strdown (sha2, -1));
    }
}

typedef enum
{
  FORMAT_EXACT,
  FORMAT_IDS,
  FORMAT_CANONICAL,
} Format;

/* A stored statement's text as the format asks; @sha2s collects attachment hashes. */
static char *
render (const char *json,
        Format      format,
        GPtrArray  *tags,
        GPtrArray  *sha2s)
{
  g_autoptr(StmtJson) obj = NULL;

  if (format == FORMAT_EXACT && sha2s == NULL)
    return g_strdup (json);
  obj = json_tokener_parse (json);
  if (obj == NULL)
    return g_strdup (json);
  if (sha2s != NULL)
    collect_sha2 (obj, sha2s);
  if (format == FORMAT_EXACT)
    return g_strdup (json);
  if (format == FORMAT_IDS)
    format_ids (obj);
  else
    format_canonical (obj, tags);
  return g_strdup (json_object_to_json_string_ext (obj, JSON_FLAGS));
}

/* Sends @json (a statement or a StatementResult) alone, or with attachments as multipart. */
static void
respond_result (Ctx        *ctx,
                const char *json,
                GPtrArray  *sha2s)
{
  HubRequest *req = ctx->req;
  g_autoptr(GByteArray) out = NULL;
  g_autofree char *boundary = NULL;
  g_autofree char *type = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  HubDb *db;
  guint i;

  if (sha2s == NULL)
    {
      bytes = g_bytes_new (json, strlen (json));
      hub_respond_bytes (req, 200, "application/json", bytes);
      return;
    }
  db = hub_store_db (req->store, &error);
  if (db == NULL)
    {
      hub_respond_error (req, 500, "database: %s", error->message);
      return;
    }
  boundary = g_uuid_string_random ();
  out = g_byte_array_new ();
#define APPEND(s) g_byte_array_append (out, (const guint8 *) (s), strlen (s))
  APPEND ("--");
  APPEND (boundary);
  APPEND ("\r\nContent-Type: application/json\r\n\r\n");
  APPEND (json);
  for (i = 0; i < sha2s->len; i++)
    {
      const char *sha2 = g_ptr_array_index (sha2s, i);
      g_autofree char *ctype = NULL;
      g_autofree char *head = NULL;
      g_autoptr(GBytes) body = hub_store_attachment_get (db, sha2, &ctype, &error);
      gsize size;
      const guint8 *data;

      if (body == NULL)
        {
          if (error != NULL)
            {
              hub_respond_error (req, 500, "database: %s", error->message);
              return;
            }
          continue;
        }
      data = g_bytes_get_data (body, &size);
      head = g_strdup_printf ("\r\n--%s\r\nContent-Type: %s\r\nContent-Transfer-Encoding: binary\r\n"
                              "X-Experience-API-Hash: %s\r\n\r\n", boundary, ctype, sha2);
      APPEND (head);
      if (size > 0)
        g_byte_array_append (out, data, size);
    }
  APPEND ("\r\n--");
  APPEND (boundary);
  APPEND ("--\r\n");
#undef APPEND
  type = g_strdup_printf ("multipart/mixed; boundary=%s", boundary);
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  hub_respond_bytes (req, 200, type, bytes);
}

static gboolean
parse_bool (Ctx        *ctx,
            const char *name,
            gboolean   *value)
{
  const char *text = param (ctx, name);

  *value = FALSE;
  if (text == NULL)
    return TRUE;
  if (g_ascii_strcasecmp (text, "true") == 0)
    *value = TRUE;
  else if (g_ascii_strcasecmp (text, "false") != 0)
    {
      hub_respond_error (ctx->req, 400, "parameter %s must be true or false, not \"%s\"", name, text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_time (Ctx        *ctx,
            const char *name,
            gint64     *value)
{
  const char *text = param (ctx, name);
  g_autoptr(GDateTime) time = NULL;

  *value = -1;
  if (text == NULL)
    return TRUE;
  if (sy_xapi_is_timestamp (text))
    time = g_date_time_new_from_iso8601 (text, NULL);
  if (time == NULL)
    {
      hub_respond_error (ctx->req, 400, "parameter %s: \"%s\" is not an ISO 8601 timestamp with a time zone",
                         name, text);
      return FALSE;
    }
  *value = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return TRUE;
}

/* The `more` token: the query's parameters, the cursor and the bound, as base64url JSON. */
static char *
make_more (Ctx    *ctx,
           gint64  stored_us,
           gint64  seq,
           gint64  until_us)
{
  static const char *const carried[] = { "agent", "verb", "activity", "registration", "related_activities",
                                         "related_agents", "since", "limit", "format", "attachments",
                                         "ascending", NULL };
  g_autoptr(StmtJson) token = json_object_new_object ();
  json_object *q = json_object_new_object ();
  g_autofree char *encoded = NULL;
  const char *text;
  guint i;

  for (i = 0; carried[i] != NULL; i++)
    if (param (ctx, carried[i]) != NULL)
      json_object_object_add (q, carried[i], json_object_new_string (param (ctx, carried[i])));
  json_object_object_add (token, "q", q);
  json_object_object_add (token, "s", json_object_new_int64 (stored_us));
  json_object_object_add (token, "n", json_object_new_int64 (seq));
  json_object_object_add (token, "u", json_object_new_int64 (until_us));
  text = json_object_to_json_string_ext (token, JSON_FLAGS);
  encoded = g_base64_encode ((const guchar *) text, strlen (text));
  for (char *c = encoded; *c; c++)
    {
      if (*c == '+')
        *c = '-';
      else if (*c == '/')
        *c = '_';
      else if (*c == '=')
        *c = '\0';
    }
  /* behind a proxy that serves the hub under a path, public_url carries that path */
  if (ctx->req->config != NULL && ctx->req->config->public_url != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (ctx->req->config->public_url, G_URI_FLAGS_NONE, NULL);
      const char *path = uri != NULL ? g_uri_get_path (uri) : "";
      gsize len = strlen (path);

      while (len > 0 && path[len - 1] == '/')
        len--;
      return g_strdup_printf ("%.*s/xapi/statements?more=%s", (int) len, path, encoded);
    }
  return g_strdup_printf ("/xapi/statements?more=%s", encoded);
}

static void
handle_get (Ctx *ctx)
{
  static const char *const allowed[] = { "statementId", "voidedStatementId", "agent", "verb", "activity",
                                         "registration", "related_activities", "related_agents", "since",
                                         "until", "limit", "format", "attachments", "ascending", "more", NULL };
  HubRequest *req = ctx->req;
  const HubPrincipal *principal = req->principal;
  gboolean all_orgs = principal->role == HUB_ROLE_ADMIN;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tags = NULL;
  g_autoptr(GPtrArray) sha2s = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(StmtJson) more_token = NULL;
  g_autofree char *agent_key = NULL;
  g_autofree char *registration = NULL;
  g_autofree char *more_url = NULL;
  HubStatementQuery query = { 0 };
  gboolean attachments, more = FALSE;
  gint64 last_stored = 0, last_seq = 0, max_stored = 0, bound;
  const char *text, *id_param;
  Format format = FORMAT_EXACT;
  HubDb *db;
  GString *result;
  guint i;

  set_consistent_through (req);
  if (!check_params (ctx, allowed))
    return;
  if (principal->role == HUB_ROLE_NONE)
    {
      hub_respond_error (req, 401, "authentication required");
      return;
    }

  /* a `more` link carries the whole query */
  if ((text = param (ctx, "more")) != NULL)
    {
      g_autofree char *padded = NULL;
      g_autofree guchar *decoded = NULL;
      g_autofree char *message = NULL;
      gsize len = 0;
      json_object *q, *v;

      if (g_hash_table_size (ctx->params) != 1)
        {
          hub_respond_error (req, 400, "the more parameter cannot be combined with other parameters");
          return;
        }
      decoded = base64url_decode (text, strlen (text), &len);
      if (decoded != NULL)
        more_token = parse_json ((const char *) decoded, len, &message);
      if (more_token == NULL || (q = obj_member (more_token, "q")) == NULL
          || !json_object_object_get_ex (more_token, "s", &v))
        {
          hub_respond_error (req, 400, "the more parameter is not a link this hub made");
          return;
        }
      ctx->owned_params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      json_object_object_foreach (q, key, value)
        if (json_object_is_type (value, json_type_string) && g_strv_contains (allowed, key))
          g_hash_table_insert (ctx->owned_params, g_strdup (key), g_strdup (json_object_get_string (value)));
      ctx->params = ctx->owned_params;
      query.has_cursor = TRUE;
      query.cursor_stored_us = json_object_get_int64 (v);
      json_object_object_get_ex (more_token, "n", &v);
      query.cursor_seq = json_object_get_int64 (v);
    }

  if (!parse_bool (ctx, "attachments", &attachments))
    return;
  if ((text = param (ctx, "format")) != NULL)
    {
      if (g_str_equal (text, "ids"))
        format = FORMAT_IDS;
      else if (g_str_equal (text, "canonical"))
        format = FORMAT_CANONICAL;
      else if (!g_str_equal (text, "exact"))
        {
          hub_respond_error (req, 400, "parameter format must be ids, exact or canonical, not \"%s\"", text);
          return;
        }
    }
  tags = parse_accept_language (hub_request_header (req, "Accept-Language"));
  if (attachments)
    sha2s = g_ptr_array_new_with_free_func (g_free);

  db = hub_store_db (req->store, &error);
  if (db == NULL)
    {
      hub_respond_error (req, 500, "database: %s", error->message);
      return;
    }

  /* one statement */
  id_param = param (ctx, "statementId");
  if (id_param == NULL)
    id_param = param (ctx, "voidedStatementId");
  if (id_param != NULL)
    {
      gboolean voided = param (ctx, "statementId") == NULL;
      GHashTableIter iter;
      gpointer key;
      g_autofree char *json = NULL;
      g_autofree char *rendered = NULL;
      gint64 stored = 0;

      g_hash_table_iter_init (&iter, ctx->params);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          if (!g_str_equal (key, "statementId") && !g_str_equal (key, "voidedStatementId")
              && !g_str_equal (key, "format") && !g_str_equal (key, "attachments"))
            {
              hub_respond_error (req, 400, "parameter %s cannot be used with %s", (const char *) key,
                                 voided ? "voidedStatementId" : "statementId");
              return;
            }
        }
      if (param (ctx, "statementId") != NULL && param (ctx, "voidedStatementId") != NULL)
        {
          hub_respond_error (req, 400, "statementId and voidedStatementId cannot be used together");
          return;
        }
      if (!g_uuid_string_is_valid (id_param))
        {
          hub_respond_error (req, 400, "%s \"%s\" is not a UUID", voided ? "voidedStatementId" : "statementId",
                             id_param);
          return;
        }
      json = hub_store_statement_get (db, id_param, voided, all_orgs, principal->org_id, &stored, &error);
      if (json == NULL)
        {
          if (error != NULL)
            hub_respond_error (req, 500, "database: %s", error->message);
          else
            hub_respond_error (req, 404, "no %sstatement with id %s", voided ? "voided " : "", id_param);
          return;
        }
      rendered = render (json, format, tags, sha2s);
      set_last_modified (req, stored);
      respond_result (ctx, rendered, sha2s);
      return;
    }

  /* a query */
  if ((text = param (ctx, "agent")) != NULL)
    {
      g_autofree char *message = NULL;
      g_autoptr(StmtJson) agent = parse_json (text, strlen (text), &message);

      if (agent == NULL || !json_object_is_type (agent, json_type_object))
        {
          hub_respond_error (req, 400, "parameter agent: %s", agent == NULL ? message : "must be a JSON object (an Agent or Group)");
          return;
        }
      agent_key = hub_agent_key (agent);
      if (agent_key == NULL)
        {
          hub_respond_error (req, 400, "parameter agent: the Agent has no identifier (mbox, mbox_sha1sum, openid or account)");
          return;
        }
      query.agent_key = agent_key;
    }
  if ((text = param (ctx, "verb")) != NULL)
    {
      if (!sy_xapi_is_iri (text))
        {
          hub_respond_error (req, 400, "parameter verb: \"%s\" is not an IRI", text);
          return;
        }
      query.verb = text;
    }
  if ((text = param (ctx, "activity")) != NULL)
    {
      if (!sy_xapi_is_iri (text))
        {
          hub_respond_error (req, 400, "parameter activity: \"%s\" is not an IRI", text);
          return;
        }
      query.activity = text;
    }
  if ((text = param (ctx, "registration")) != NULL)
    {
      if (!g_uuid_string_is_valid (text))
        {
          hub_respond_error (req, 400, "parameter registration: \"%s\" is not a UUID", text);
          return;
        }
      registration = g_ascii_strdown (text, -1);
      query.registration = registration;
    }
  if (!parse_bool (ctx, "related_agents", &query.related_agents)
      || !parse_bool (ctx, "related_activities", &query.related_activities)
      || !parse_bool (ctx, "ascending", &query.ascending)
      || !parse_time (ctx, "since", &query.since_us)
      || !parse_time (ctx, "until", &query.until_us))
    return;
  query.limit = MAX_LIMIT;
  if ((text = param (ctx, "limit")) != NULL)
    {
      char *end = NULL;
      guint64 limit = g_ascii_strtoull (text, &end, 10);

      if (*text == '\0' || end == NULL || *end != '\0' || !g_ascii_isdigit (*text))
        {
          hub_respond_error (req, 400, "parameter limit must be a non-negative integer, not \"%s\"", text);
          return;
        }
      query.limit = limit == 0 || limit > MAX_LIMIT ? MAX_LIMIT : (guint) limit;
    }
  /* pages after the first keep the first page's upper bound */
  if (more_token != NULL)
    {
      json_object *u;
      if (json_object_object_get_ex (more_token, "u", &u))
        query.until_us = json_object_get_int64 (u);
    }
  else if (query.until_us < 0)
    query.until_us = G_MAXINT64 / 2;
  bound = query.until_us;
  query.all_orgs = all_orgs;
  query.org_id = principal->org_id;

  found = g_ptr_array_new_with_free_func (g_free);
  if (!hub_store_statements_find (db, &query, found, &more, &last_stored, &last_seq, &max_stored, &error))
    {
      hub_respond_error (req, 500, "database: %s", error->message);
      return;
    }
  if (more)
    {
      if (bound == G_MAXINT64 / 2)
        bound = MAX (hub_now_us (), max_stored);
      more_url = make_more (ctx, last_stored, last_seq, bound);
    }

  result = g_string_new ("{\"statements\":[");
  for (i = 0; i < found->len; i++)
    {
      g_autofree char *rendered = render (g_ptr_array_index (found, i), format, tags, sha2s);

      if (i > 0)
        g_string_append_c (result, ',');
      g_string_append (result, rendered);
    }
  g_string_append_printf (result, "],\"more\":\"%s\"}", more_url != NULL ? more_url : "");
  set_last_modified (req, max_stored);
  {
    g_autofree char *json = g_string_free (result, FALSE);
    respond_result (ctx, json, sha2s);
  }
}

/* ---- the alternate request syntax and dispatch ---- */

static void
handle_statements (HubRequest *req)
{
  Ctx ctx = { 0 };
  const char *alt = hub_request_param (req, "method");

  ctx.req = req;
  ctx.method = req->method;
  ctx.params = req->query;
  ctx.body = g_bytes_ref (req->body);
  ctx.content_type = g_strdup (hub_request_header (req, "Content-Type"));

  if (alt != NULL)
    {
      g_autofree char *type = media_type (ctx.content_type);
      g_autoptr(GHashTable) form = NULL;
      GHashTableIter iter;
      gpointer key, value;
      gsize length;
      const char *data;
      g_autofree char *text = NULL;

      if (!g_str_equal (req->method, "POST"))
        {
          hub_respond_error (req, 400, "the alternate request syntax (method parameter) must be sent as POST");
          goto out;
        }
      if (g_hash_table_size (req->query) != 1)
        {
          hub_respond_error (req, 400, "with the alternate request syntax, the only URL parameter is method; send the others as form fields");
          goto out;
        }
      if (g_strcmp0 (type, "application/x-www-form-urlencoded") != 0)
        {
          hub_respond_error (req, 400, "the alternate request syntax needs Content-Type application/x-www-form-urlencoded");
          goto out;
        }
      if (!g_str_equal (alt, "GET") && !g_str_equal (alt, "PUT") && !g_str_equal (alt, "POST"))
        {
          hub_respond_error (req, 400, "method %s is not allowed on /xapi/statements", alt);
          goto out;
        }
      data = g_bytes_get_data (req->body, &length);
      text = g_strndup (data != NULL ? data : "", length);
      form = soup_form_decode (text);
      ctx.owned_params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_clear_pointer (&ctx.body, g_bytes_unref);
      g_clear_pointer (&ctx.content_type, g_free);
      g_hash_table_iter_init (&iter, form);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          if (g_ascii_strcasecmp (key, "content") == 0)
            ctx.body = g_bytes_new (value, strlen (value));
          else if (g_ascii_strcasecmp (key, "Content-Type") == 0)
            ctx.content_type = g_strdup (value);
          else if (g_ascii_strcasecmp (key, "X-Experience-API-Version") == 0)
            {
              if (!g_str_has_prefix (value, "1.0"))
                {
                  hub_respond_error (req, 400, "X-Experience-API-Version %s is not supported", (const char *) value);
                  goto out;
                }
            }
          else if (g_ascii_strcasecmp (key, "Authorization") == 0 || g_ascii_strcasecmp (key, "Content-Length") == 0
                   || g_ascii_strcasecmp (key, "If-Match") == 0 || g_ascii_strcasecmp (key, "If-None-Match") == 0)
            ;
          else
            g_hash_table_insert (ctx.owned_params, g_strdup (key), g_strdup (value));
        }
      if (ctx.body == NULL)
        ctx.body = g_bytes_new (NULL, 0);
      if (g_str_equal (alt, "PUT") && g_bytes_get_size (ctx.body) == 0)
        {
          hub_respond_error (req, 400, "the alternate request syntax needs the statement in the form field content");
          goto out;
        }
      ctx.params = ctx.owned_params;
      ctx.method = alt;
    }

  if (g_str_equal (ctx.method, "GET"))
    handle_get (&ctx);
  else
    {
      gboolean handed_over = FALSE;

      if (g_str_equal (ctx.method, "PUT"))
        handed_over = handle_write (&ctx, TRUE);
      else if (g_str_equal (ctx.method, "POST"))
        handed_over = handle_write (&ctx, FALSE);
      else
        hub_respond_error (req, 405, "method %s is not allowed on /xapi/statements", ctx.method);
      if (handed_over)
        {
          /* the writer answers (statements_written()): @req is not ours any more */
          ctx_clear (&ctx);
          return;
        }
      set_consistent_through (req);
    }

out:
  if (soup_message_headers_get_one (req->response_headers, "X-Experience-API-Consistent-Through") == NULL)
    set_consistent_through (req);
  ctx_clear (&ctx);
}

const HubRoute hub_routes_statements[] = {
  { "GET PUT POST", "/xapi/statements", HUB_ROUTE_AUTH | HUB_ROUTE_XAPI, handle_statements },
  { NULL },
};
