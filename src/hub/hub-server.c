/* hub-server.c — the HTTP server: routes, limits, workers, shutdown
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything that touches a SoupServerMessage happens on the server's main context: the
 * size limit (while the body arrives), routing, the xAPI version header. The rest — gzip,
 * authentication (it may query the database), the rate limit and the handler — runs on a
 * worker thread from a GThreadPool with a HubRequest; the result comes back through
 * sy_main_context_post() and the message is unpaused.
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include <errno.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <sodium.h>

#include "hub-server.h"
#include "sy-util.h"
#include "hub-store-access.h"

#define AUTH_CACHE_TTL_US      (10 * G_USEC_PER_SEC)
#define AUTH_CACHE_MAX         10000
#define RATE_TABLE_MAX         50000
#define ANONYMOUS_RATE_DEFAULT 6000  /* per minute and address when no --rate-limit */
#define ANONYMOUS_BURST_DEFAULT 500
#define DEFAULT_MAX_BODY       (32 * 1024 * 1024)
#define STREAM_PIECE           (256 * 1024)  /* most a streamed body reads at once */
#define STREAM_WORKERS         4             /* threads reading pieces of streamed bodies */
#define KEEPALIVE_TIMEOUT_S    75            /* an idle keep-alive connection is closed after */
#define REAPER_INTERVAL_S      5
#define LISTEN_BACKLOG         256
#define GZIP_MIN_SIZE          1024          /* smaller JSON answers go out as they are */
#define GZIP_LEVEL             6             /* see gzip_response() */

struct _HubServer
{
  SoupServer      *soup;
  HubStore        *store;
  const HubConfig *config;
  GMainContext    *context;
  GThreadPool     *pool;
  GThreadPool     *stream_pool;   /* piece reads of streamed bodies (see stream_feed()) */
  GPtrArray       *routes;        /* const HubRoute* */
  char            *url;
  FILE            *access_log;
  gboolean         own_log;
  guint            in_flight;     /* requests between their headers and their end; main
                                     context only */
  guint            unanswered;    /* jobs given to a worker whose answer has not reached
                                     the main context yet (a suspended request's may be
                                     on the statement writer's thread); main context only */
  gboolean         shutting_down;
  gboolean         closed;        /* disconnected or being freed: no more piece reads */

  GHashTable      *connections;   /* GSocket* → Connection; main context only */
  GSource         *reaper;

  GMutex           lock;          /* guards the two tables below */
  GHashTable      *auth_cache;    /* sha256 hex of Authorization → AuthEntry */
  GHashTable      *buckets;       /* key → Bucket */
  double           rate_per_s;
  double           burst;
};

typedef struct
{
  HubPrincipal *principal;
  gint64        expires_us;
} AuthEntry;

typedef struct
{
  double tokens;
  gint64 updated_us;
} Bucket;

/* Per message, set at request-started. */
typedef struct
{
  HubServer *server;
  gint64     start_us;
  gsize      received;
  gboolean   too_large;
  gboolean   counted;   /* in server->in_flight */
  char      *principal;
  /* a streamed body: the status sent (libsoup turns a message whose connection broke into
   * a 500) and the bytes written */
  guint      stream_status;
  goffset    stream_written;
  GSocket   *socket;    /* the connection's, for the reaper */
  gboolean   busy;      /* counted in its Connection's busy */
} MsgState;

/* A client connection, seen through its requests. libsoup 3.2 does not notice when a
 * client closes a keep-alive connection between requests: the socket stays in CLOSE-WAIT
 * with its descriptor open for the life of the process, so a hub with many clients
 * would run out of descriptors. The reaper closes such connections, and any left idle
 * longer than KEEPALIVE_TIMEOUT_S. */
typedef struct
{
  guint  busy;          /* requests under way on it */
  gint64 idle_since_us; /* monotonic; when the last one finished */
} Connection;

typedef struct
{
  HubServer         *server;
  SoupServerMessage *msg;
  const HubRoute    *route;
  HubRequest         req;
  char              *client_address;
  char              *authorization;
  char              *content_encoding;
  gboolean           xapi;
  /* filled by the worker */
  HubPrincipal      *principal;
  /* the answer came from another thread than a worker (the statement writer's): the
   * main context compresses it, not that thread (see job_answer()) */
  gboolean           compress_on_main;

  /* A streamed response (hub_respond_stream), once its headers are set. Then the job
   * lives until its message has finished and no piece read is under way, and each push
   * of the job into server->stream_pool reads one piece. The worker writes stream_offset,
   * stream_next and stream_error only while stream_reading; the rest is main context. */
  gboolean           stream_reading;   /* a piece read is in the pool */
  gboolean           stream_finished;  /* the message has finished (sent, or cut off) */
  gboolean           stream_failed;    /* a read failed: the connection is being closed */
  goffset            stream_offset;    /* next byte to read */
  goffset            stream_sent;      /* bytes handed to libsoup */
  guint              stream_queued;    /* pieces handed to libsoup, not written yet */
  gsize              stream_queued_size; /* the size of that piece */
  GBytes            *stream_next;      /* read, not handed to libsoup yet */
  GError            *stream_error;
  gulong             wrote_chunk_id;
  gulong             finished_id;
} Job;

static HubPrincipal anonymous = { HUB_ROLE_NONE, 0, NULL, 0, NULL };

static void
auth_entry_free (gpointer data)
{
  AuthEntry *entry = data;

  hub_principal_free (entry->principal);
  g_free (entry);
}

static void
msg_state_free (gpointer data)
{
  MsgState *state = data;

  g_clear_object (&state->socket);
  g_free (state->principal);
  g_free (state);
}

void
hub_config_init (HubConfig *config)
{
  memset (config, 0, sizeof *config);
  config->listen = g_strdup ("127.0.0.1:8080");
  config->max_body = DEFAULT_MAX_BODY;
}

void
hub_config_clear (HubConfig *config)
{
  g_clear_pointer (&config->listen, g_free);
  g_clear_pointer (&config->tls_cert, g_free);
  g_clear_pointer (&config->tls_key, g_free);
  g_clear_pointer (&config->public_url, g_free);
  g_clear_pointer (&config->access_log, g_free);
}

static HubPrincipal *
principal_copy (const HubPrincipal *principal)
{
  HubPrincipal *copy = g_new0 (HubPrincipal, 1);

  copy->role = principal->role;
  copy->id = principal->id;
  copy->name = g_strdup (principal->name);
  copy->org_id = principal->org_id;
  copy->org_name = g_strdup (principal->org_name);
  return copy;
}

/* Routing */

static gboolean
has_token (const char *methods,
           const char *method)
{
  gsize len = strlen (method);

  for (const char *p = methods; (p = strstr (p, method)) != NULL; p += len)
    if ((p == methods || p[-1] == ' ') && (p[len] == '\0' || p[len] == ' '))
      return TRUE;
  return FALSE;
}

static gboolean
methods_include (const char *methods,
                 const char *method)
{
  if (has_token (methods, method))
    return TRUE;
  return g_str_equal (method, "HEAD") && has_token (methods, "GET");
}

/* 0 when @route does not cover @path, otherwise a score: exact matches beat prefixes,
 * longer prefixes beat shorter ones. */
static gsize
route_match (const HubRoute *route,
             const char     *path)
{
  gsize len = strlen (route->path);

  if (len >= 2 && g_str_has_suffix (route->path, "/*"))
    {
      /* "/xapi/activities/" + "*" covers "/xapi/activities/…" and "/xapi/activities" */
      if (strncmp (path, route->path, len - 1) == 0)
        return len;
      if (strlen (path) == len - 2 && strncmp (path, route->path, len - 2) == 0)
        return len - 1;
      return 0;
    }
  return g_str_equal (path, route->path) ? G_MAXSIZE : 0;
}

static const HubRoute *
find_route (HubServer  *server,
            const char *path,
            const char *method,
            GString    *allow)
{
  gsize best = 0;

  /* the best-matching path first, then the route with the method among the routes of
   * that path */
  for (guint i = 0; i < server->routes->len; i++)
    best = MAX (best, route_match (g_ptr_array_index (server->routes, i), path));
  if (best == 0)
    return NULL;

  for (guint i = 0; i < server->routes->len; i++)
    {
      const HubRoute *route = g_ptr_array_index (server->routes, i);
      g_auto(GStrv) list = NULL;

      if (route_match (route, path) != best)
        continue;
      if (methods_include (route->methods, method))
        return route;
      list = g_strsplit (route->methods, " ", -1);
      for (guint j = 0; list[j] != NULL; j++)
        {
          if (list[j][0] == '\0')
            continue;
          if (allow->len > 0)
            g_string_append (allow, ", ");
          g_string_append (allow, list[j]);
          if (g_str_equal (list[j], "GET"))
            g_string_append (allow, ", HEAD");
        }
    }
  return NULL;
}

/* Responses straight from the main context */

static void
msg_respond_error (SoupServerMessage *msg,
                   guint              status,
                   const char        *message)
{
  json_object *root = json_object_new_object ();
  json_object *error = json_object_new_object ();
  const char *text;
  size_t length = 0;

  json_object_object_add (error, "code", json_object_new_int ((int) status));
  json_object_object_add (error, "message", json_object_new_string (message));
  json_object_object_add (root, "error", error);
  text = json_object_to_json_string_length (root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
                                            &length);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, text, length);
  json_object_put (root);
}

/* 1.0 or 1.0.N */
static gboolean
xapi_version_ok (const char *version)
{
  if (!g_str_has_prefix (version, "1.0"))
    return FALSE;
  version += 3;
  if (*version == '\0')
    return TRUE;
  if (*version++ != '.' || *version == '\0')
    return FALSE;
  for (; *version != '\0'; version++)
    if (!g_ascii_isdigit (*version))
      return FALSE;
  return TRUE;
}

static gboolean
is_xapi_path (const char *path)
{
  return g_str_has_prefix (path, "/xapi/") || g_str_equal (path, "/xapi");
}

/* Size limit, while the request arrives */

static void
msg_got_headers (SoupServerMessage *msg,
                 gpointer           user_data)
{
  MsgState *state = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  gsize max_body = state->server->config->max_body;

  if (!state->counted)
    {
      state->counted = TRUE;
      state->server->in_flight++;
    }
  if (!state->busy && state->socket != NULL)
    {
      Connection *connection = g_hash_table_lookup (state->server->connections, state->socket);

      if (connection != NULL)
        {
          state->busy = TRUE;
          connection->busy++;
        }
    }
  if (state->server->shutting_down)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Connection", "close");

  if (is_xapi_path (path))
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "X-Experience-API-Version", HUB_XAPI_VERSION);

  if (soup_server_message_get_status (msg) != 0 || max_body == 0)
    return;
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      (guint64) soup_message_headers_get_content_length (headers) > max_body)
    {
      g_autofree char *message =
        g_strdup_printf ("the request body is %" G_GINT64_FORMAT " bytes; this hub accepts "
                         "at most %" G_GSIZE_FORMAT,
                         soup_message_headers_get_content_length (headers), max_body);

      state->too_large = TRUE;
      /* what arrives is read and dropped, so the client gets the answer */
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      msg_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, message);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
    }
}

static void
msg_got_chunk (SoupServerMessage *msg,
               GBytes            *chunk,
               gpointer           user_data)
{
  MsgState *state = user_data;
  gsize max_body = state->server->config->max_body;

  state->received += g_bytes_get_size (chunk);
  if (state->too_large || max_body == 0 || state->received <= max_body)
    return;

  state->too_large = TRUE;
  if (soup_server_message_get_status (msg) == 0)
    {
      g_autofree char *message =
        g_strdup_printf ("the request body is larger than this hub accepts (%" G_GSIZE_FORMAT
                         " bytes)", max_body);
      SoupMessageBody *body = soup_server_message_get_request_body (msg);

      soup_message_body_set_accumulate (body, FALSE);
      soup_message_body_truncate (body);
      msg_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, message);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
    }
}

static const char *
client_address (HubServer         *server,
                SoupServerMessage *msg)
{
  const char *remote = soup_server_message_get_remote_host (msg);

  if (server->config->trust_proxy)
    {
      const char *forwarded = soup_message_headers_get_list (
        soup_server_message_get_request_headers (msg), "X-Forwarded-For");

      if (forwarded != NULL && *forwarded != '\0')
        {
          /* the last entry is the one our proxy added */
          const char *last = strrchr (forwarded, ',');
          static GPrivate buffer = G_PRIVATE_INIT (g_free);
          char *copy = g_strstrip (g_strdup (last != NULL ? last + 1 : forwarded));

          g_private_replace (&buffer, copy);
          return copy;
        }
    }
  return remote != NULL ? remote : "-";
}

static void
msg_finished (SoupServerMessage *msg,
              gpointer           user_data)
{
  MsgState *state = user_data;
  HubServer *server = state->server;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *time = NULL;
  g_autofree char *path = NULL;
  GUri *uri;
  goffset bytes = 0;
  SoupMessageBody *body;

  if (state->counted)
    {
      state->counted = FALSE;
      server->in_flight--;
    }
  if (state->socket != NULL && server->connections != NULL)
    {
      Connection *connection = g_hash_table_lookup (server->connections, state->socket);

      if (connection != NULL && state->busy && --connection->busy == 0)
        connection->idle_since_us = g_get_monotonic_time ();
      state->busy = FALSE;
    }
  if (server->access_log == NULL)
    return;

  now = g_date_time_new_now_utc ();
  time = g_date_time_format_iso8601 (now);
  uri = soup_server_message_get_uri (msg);
  /* escaped, so that no request can write a line of its own into the log */
  path = g_uri_escape_string (uri != NULL ? g_uri_get_path (uri) : "-", "/:@!$&'()*+,;=-._~",
                              TRUE);
  body = soup_server_message_get_response_body (msg);
  if (body != NULL && soup_server_message_get_method (msg) != SOUP_METHOD_HEAD)
    bytes = body->length;
  if (state->stream_status != 0)
    bytes = state->stream_written;

  fprintf (server->access_log, "%s %s %s %s %s %u %" G_GOFFSET_FORMAT " %.1fms\n",
           time,
           client_address (server, msg),
           state->principal != NULL ? state->principal : "-",
           soup_server_message_get_method (msg),
           path,
           state->stream_status != 0 ? state->stream_status : soup_server_message_get_status (msg),
           bytes,
           (g_get_monotonic_time () - state->start_us) / 1000.0);
  fflush (server->access_log);
}

static void
request_started (SoupServer        *soup,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  MsgState *state = g_new0 (MsgState, 1);

  state->server = user_data;
  state->start_us = g_get_monotonic_time ();
  state->socket = soup_server_message_get_socket (msg);
  if (state->socket != NULL)
    {
      Connection *connection;

      g_object_ref (state->socket);
      connection = g_hash_table_lookup (state->server->connections, state->socket);
      /* busy from its headers to its end: libsoup also starts a message when the client
       * closes the connection, and that one never ends */
      if (connection == NULL)
        {
          connection = g_new0 (Connection, 1);
          connection->idle_since_us = g_get_monotonic_time ();
          g_hash_table_insert (state->server->connections, g_object_ref (state->socket),
                               connection);
        }
    }
  g_object_set_data_full (G_OBJECT (msg), "hub-state", state, msg_state_free);
  g_signal_connect (msg, "got-headers", G_CALLBACK (msg_got_headers), state);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (msg_got_chunk), state);
  g_signal_connect (msg, "finished", G_CALLBACK (msg_finished), state);
}

/* Worker side */

static char *
sha256_hex (const char *text)
{
  guchar digest[crypto_hash_sha256_BYTES];
  char hex[crypto_hash_sha256_BYTES * 2 + 1];

  crypto_hash_sha256 (digest, (const guchar *) text, strlen (text));
  sodium_bin2hex (hex, sizeof hex, digest, sizeof digest);
  return g_strdup (hex);
}

/* The principal for an Authorization header: a new copy, or NULL when it is not a valid
 * credential (error unset) or the database failed (error set). */
static HubPrincipal *
authenticate (HubServer   *server,
              const char  *authorization,
              GError     **error)
{
  g_autofree char *key = sha256_hex (authorization);
  g_autofree guchar *decoded = NULL;
  g_autofree char *credentials = NULL;
  HubPrincipal *principal;
  gsize length = 0;
  char *colon;
  AuthEntry *entry;
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&server->lock);
  entry = g_hash_table_lookup (server->auth_cache, key);
  if (entry != NULL && entry->expires_us > now)
    {
      principal = principal_copy (entry->principal);
      g_mutex_unlock (&server->lock);
      return principal;
    }
  g_mutex_unlock (&server->lock);

  if (g_ascii_strncasecmp (authorization, "Basic ", 6) != 0)
    return NULL;
  decoded = g_base64_decode (authorization + 6, &length);
  if (decoded == NULL || length == 0)
    return NULL;
  credentials = g_strndup ((const char *) decoded, length);
  if (strlen (credentials) != length || !g_utf8_validate (credentials, -1, NULL))
    return NULL;
  colon = strchr (credentials, ':');
  if (colon == NULL)
    return NULL;
  *colon = '\0';

  principal = hub_store_authenticate (server->store, credentials, colon + 1, error);
  sodium_memzero (colon + 1, strlen (colon + 1));
  if (principal == NULL)
    return NULL;

  entry = g_new0 (AuthEntry, 1);
  entry->principal = principal_copy (principal);
  entry->expires_us = now + AUTH_CACHE_TTL_US;
  g_mutex_lock (&server->lock);
  if (g_hash_table_size (server->auth_cache) >= AUTH_CACHE_MAX)
    g_hash_table_remove_all (server->auth_cache);
  g_hash_table_replace (server->auth_cache, g_steal_pointer (&key), entry);
  g_mutex_unlock (&server->lock);
  return principal;
}

/* Token bucket: TRUE when the request may go on, otherwise the seconds to wait. */
static gboolean
rate_allow (HubServer  *server,
            const char *key,
            gboolean    anonymous_key,
            guint      *retry_after)
{
  double rate = server->rate_per_s, burst = server->burst;
  gint64 now = g_get_monotonic_time ();
  Bucket *bucket;
  gboolean allowed;

  if (rate <= 0)
    {
      if (!anonymous_key)
        return TRUE;
      rate = ANONYMOUS_RATE_DEFAULT / 60.0;
      burst = ANONYMOUS_BURST_DEFAULT;
    }

  g_mutex_lock (&server->lock);
  bucket = g_hash_table_lookup (server->buckets, key);
  if (bucket == NULL)
    {
      if (g_hash_table_size (server->buckets) >= RATE_TABLE_MAX)
        g_hash_table_remove_all (server->buckets);
      bucket = g_new0 (Bucket, 1);
      bucket->tokens = burst;
      bucket->updated_us = now;
      g_hash_table_insert (server->buckets, g_strdup (key), bucket);
    }
  bucket->tokens = MIN (burst, bucket->tokens + rate * (now - bucket->updated_us) / G_USEC_PER_SEC);
  bucket->updated_us = now;
  allowed = bucket->tokens >= 1.0;
  if (allowed)
    bucket->tokens -= 1.0;
  else
    *retry_after = (guint) MAX (1.0, (1.0 - bucket->tokens) / rate + 0.999);
  g_mutex_unlock (&server->lock);
  return allowed;
}

static gboolean
inflate_gzip (GBytes  *input,
              gsize    limit,
              GBytes **output,
              guint   *status,
              char   **message)
{
  z_stream zs = { 0 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gsize in_size;
  const guchar *in_data = g_bytes_get_data (input, &in_size);
  int ret = Z_OK;

  if (inflateInit2 (&zs, 16 + MAX_WBITS) != Z_OK)
    {
      *status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
      *message = g_strdup ("cannot start gzip decompression");
      return FALSE;
    }
  zs.next_in = (Bytef *) in_data;
  zs.avail_in = (uInt) in_size;
  while (ret != Z_STREAM_END)
    {
      guchar buffer[64 * 1024];

      zs.next_out = buffer;
      zs.avail_out = sizeof buffer;
      ret = inflate (&zs, Z_NO_FLUSH);
      if (ret != Z_OK && ret != Z_STREAM_END)
        break;
      g_byte_array_append (out, buffer, sizeof buffer - zs.avail_out);
      if (limit > 0 && out->len > limit)
        {
          inflateEnd (&zs);
          *status = SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
          *message = g_strdup_printf ("the request body is larger than this hub accepts "
                                      "(%" G_GSIZE_FORMAT " bytes) once decompressed", limit);
          return FALSE;
        }
      if (ret == Z_OK && zs.avail_in == 0 && zs.avail_out != 0)
        {
          ret = Z_DATA_ERROR;  /* truncated */
          break;
        }
    }
  inflateEnd (&zs);
  if (ret != Z_STREAM_END)
    {
      *status = SOUP_STATUS_BAD_REQUEST;
      *message = g_strdup ("the request body is marked Content-Encoding: gzip but is not "
                           "valid gzip data");
      return FALSE;
    }
  *output = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  return TRUE;
}

/* Whether @type is JSON: application/json with or without parameters. */
static gboolean
is_json_type (const char *type)
{
  gsize len = strlen ("application/json");

  return type != NULL && g_ascii_strncasecmp (type, "application/json", len) == 0 &&
         (type[len] == '\0' || type[len] == ';' || type[len] == ' ');
}

/* Compresses a JSON answer of GZIP_MIN_SIZE bytes or more when the client accepts gzip
 * (Content-Encoding: gzip; Vary: Accept-Encoding either way). Left alone: streamed bodies,
 * bodies the handler encoded itself (the catalog), and answers with an ETag — the xAPI
 * documents, whose ETag is the SHA-1 of the document's bytes and which a client sends back
 * in If-Match, so one representation keeps one tag. Level 6: a page of 500 statements
 * (~400 KB) shrinks to 1/13.9 in ~3.5 ms here, against 1/12 in ~1.4 ms at level 1 and
 * 1/14.6 in ~7 ms at level 9. For a client on a slow line the size is what counts: the
 * 4.6 KB level 6 saves on such a page over level 1 take 140 ms to send at 256 kbit/s, for
 * 2 ms more of the hub's CPU. */
static void
gzip_response (HubRequest *req)
{
  GBytes *compressed;
  const guint8 *data;
  gsize size;
  const char *vary;

  if (req->response_body == NULL || req->stream_read != NULL || req->status != SOUP_STATUS_OK)
    return;
  data = g_bytes_get_data (req->response_body, &size);
  if (size < GZIP_MIN_SIZE || !is_json_type (req->content_type) ||
      soup_message_headers_get_one (req->response_headers, "Content-Encoding") != NULL ||
      soup_message_headers_get_one (req->response_headers, "ETag") != NULL)
    return;

  vary = soup_message_headers_get_list (req->response_headers, "Vary");
  if (vary == NULL || !soup_header_contains (vary, "Accept-Encoding"))
    soup_message_headers_append (req->response_headers, "Vary", "Accept-Encoding");
  if (!hub_accepts_gzip (hub_request_header (req, "Accept-Encoding")))
    return;

  if (!(compressed = sy_gzip (data, size, GZIP_LEVEL)))
    return;  /* sent as it is */
  g_bytes_unref (req->response_body);
  req->response_body = compressed;
  soup_message_headers_replace (req->response_headers, "Content-Encoding", "gzip");
}

static void
health_handler (HubRequest *req)
{
  g_autoptr(GError) error = NULL;
  HubDb *db = hub_store_db (req->store, &error);
  HubDbStmt *stmt = NULL;
  json_object *body;
  const char *delay = hub_request_param (req, "delay_ms");

  /* a slow request on demand, for the shutdown tests only */
  if (delay != NULL && g_getenv ("SHUYUAN_HUB_TEST_HOOKS") != NULL)
    g_usleep (MIN (g_ascii_strtoull (delay, NULL, 10), 10000) * 1000);

  if (db != NULL)
    stmt = hub_db_prepare (db, "SELECT 1", &error);
  if (stmt != NULL && !hub_db_step (stmt, &error) && error == NULL)
    g_set_error_literal (&error, HUB_DB_ERROR, HUB_DB_ERROR_FAILED, "SELECT 1 returned no row");
  if (stmt != NULL)
    hub_db_reset (stmt);
  if (error != NULL)
    {
      hub_respond_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "the database is not available: %s",
                         error->message);
      return;
    }
  body = json_object_new_object ();
  json_object_object_add (body, "status", json_object_new_string ("ok"));
  json_object_object_add (body, "version", json_object_new_string (PACKAGE_VERSION));
  hub_respond_json (req, SOUP_STATUS_OK, body);
}

static void
worker_run (Job *job)
{
  HubServer *server = job->server;
  HubRequest *req = &job->req;
  g_autoptr(GError) error = NULL;
  guint retry_after = 0;
  g_autofree char *rate_key = NULL;
  gboolean anonymous_key = FALSE;

  if (job->authorization != NULL)
    job->principal = authenticate (server, job->authorization, &error);
  if (error != NULL)
    {
      g_warning ("authentication failed on a database error: %s", error->message);
      hub_respond_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE,
                         "cannot check credentials now: the database is not available");
      return;
    }
  req->principal = job->principal != NULL ? job->principal : &anonymous;

  if (job->principal != NULL)
    rate_key = g_strdup_printf ("%s:%s", hub_role_to_string (job->principal->role), job->principal->name);
  else
    {
      rate_key = g_strdup_printf ("addr:%s", job->client_address);
      anonymous_key = TRUE;
    }
  if (!rate_allow (server, rate_key, anonymous_key, &retry_after))
    {
      g_autofree char *value = g_strdup_printf ("%u", retry_after);

      soup_message_headers_replace (req->response_headers, "Retry-After", value);
      hub_respond_error (req, 429 /* Too Many Requests */,
                         "too many requests from this %s; try again in %u s",
                         anonymous_key ? "address" : "account", retry_after);
      return;
    }

  if ((job->route->flags & HUB_ROUTE_AUTH) && job->principal == NULL)
    {
      soup_message_headers_replace (req->response_headers, "WWW-Authenticate",
                                    "Basic realm=\"shuyuan-hub\"");
      hub_respond_error (req, SOUP_STATUS_UNAUTHORIZED,
                         job->authorization == NULL
                         ? "this resource needs credentials (HTTP Basic authentication)"
                         : "the credentials were not accepted: unknown name or wrong secret");
      return;
    }

  if (job->content_encoding != NULL)
    {
      g_autoptr(GBytes) inflated = NULL;
      g_autofree char *message = NULL;
      guint status = 0;

      if (g_ascii_strcasecmp (job->content_encoding, "gzip") == 0 ||
          g_ascii_strcasecmp (job->content_encoding, "x-gzip") == 0)
        {
          if (!inflate_gzip (req->body, server->config->max_body, &inflated, &status, &message))
            {
              hub_respond_error (req, status, "%s", message);
              return;
            }
          g_bytes_unref (req->body);
          req->body = g_steal_pointer (&inflated);
        }
      else if (g_ascii_strcasecmp (job->content_encoding, "identity") != 0)
        {
          hub_respond_error (req, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                             "Content-Encoding %s is not supported; use gzip or none",
                             job->content_encoding);
          return;
        }
    }

  job->route->handler (req);
}

static void
job_free (Job *job)
{
  if (job->msg != NULL)
    {
      g_clear_signal_handler (&job->wrote_chunk_id, job->msg);
      g_clear_signal_handler (&job->finished_id, job->msg);
    }
  g_clear_object (&job->msg);
  if (job->req.stream_destroy != NULL && job->req.stream_data != NULL)
    job->req.stream_destroy (job->req.stream_data);
  g_clear_pointer (&job->stream_next, g_bytes_unref);
  g_clear_error (&job->stream_error);
  g_free ((char *) job->req.path);
  g_free ((char *) job->req.base_url);
  g_clear_pointer (&job->req.query, g_hash_table_unref);
  g_clear_pointer (&job->req.request_headers, soup_message_headers_unref);
  g_clear_pointer (&job->req.body, g_bytes_unref);
  if (job->req.held_destroy != NULL)
    job->req.held_destroy (job->req.held);
  g_clear_pointer (&job->req.response_headers, soup_message_headers_unref);
  g_clear_pointer (&job->req.response_body, g_bytes_unref);
  g_free (job->req.content_type);
  g_free (job->client_address);
  g_free (job->authorization);
  g_free (job->content_encoding);
  g_clear_pointer (&job->principal, hub_principal_free);
  g_free (job);
}

/* Streamed bodies.
 *
 * libsoup sends what the response body holds and pauses the message when it runs dry. With
 * the body not accumulating, each piece is dropped once written ("wrote-chunk"); then the
 * next piece, read ahead on a worker, is appended and the message unpaused, and the piece
 * after it is read. So a stream holds at most two pieces: one being written, one read
 * ahead. A client that goes away shows as the message finishing early: reading stops, and
 * the job is freed once no read is under way. */

/* Worker side: reads the next piece into the job. */
static void
stream_read_piece (Job *job)
{
  HubRequest *req = &job->req;
  gsize max = (gsize) MIN ((goffset) STREAM_PIECE, req->stream_length - job->stream_offset);
  g_autoptr(GError) error = NULL;
  GBytes *piece;

  piece = req->stream_read (req->store, req->stream_data, job->stream_offset, max, &error);
  if (piece != NULL && (g_bytes_get_size (piece) == 0 || g_bytes_get_size (piece) > max))
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the body reader returned %" G_GSIZE_FORMAT " bytes at offset %"
                   G_GOFFSET_FORMAT " (asked for 1 to %" G_GSIZE_FORMAT ")",
                   g_bytes_get_size (piece), job->stream_offset, max);
      g_clear_pointer (&piece, g_bytes_unref);
    }
  if (piece == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                             "the body reader failed without saying why");
      job->stream_error = g_steal_pointer (&error);
      return;
    }
  job->stream_offset += g_bytes_get_size (piece);
  job->stream_next = piece;
}

static gboolean
stream_free_idle (gpointer data)
{
  job_free (data);
  return G_SOURCE_REMOVE;
}

/* Hands the piece read ahead to libsoup when the one before is written, starts the next
 * read, and, after a failed read, makes libsoup find the connection closed. */
static void
stream_feed (Job *job)
{
  HubServer *server = job->server;
  SoupMessageBody *body;

  if (job->stream_finished)
    return;
  body = soup_server_message_get_response_body (job->msg);
  if (job->stream_failed)
    {
      if (job->stream_queued == 0)
        {
          /* the socket is shut for writing: this byte never leaves, the write fails and
           * libsoup ends the message and the connection */
          job->stream_queued++;
          soup_message_body_append_bytes (body, g_bytes_new_static ("", 1));
          soup_server_message_unpause (job->msg);
        }
      return;
    }
  if (job->stream_queued == 0 && job->stream_next != NULL)
    {
      job->stream_sent += g_bytes_get_size (job->stream_next);
      job->stream_queued++;
      job->stream_queued_size = g_bytes_get_size (job->stream_next);
      soup_message_body_append_bytes (body, job->stream_next);
      g_clear_pointer (&job->stream_next, g_bytes_unref);
      if (job->stream_sent >= job->req.stream_length)
        soup_message_body_complete (body);
      soup_server_message_unpause (job->msg);
    }
  if (!job->stream_reading && job->stream_next == NULL &&
      job->stream_offset < job->req.stream_length && !server->closed)
    {
      job->stream_reading = TRUE;
      g_thread_pool_push (server->stream_pool, job, NULL);
    }
}

static void
stream_fail (Job *job)
{
  GSocket *socket = soup_server_message_get_socket (job->msg);

  g_warning ("cannot send %s: reading bytes from %" G_GOFFSET_FORMAT " of %" G_GOFFSET_FORMAT
             " failed: %s; closing the connection", job->req.path, job->stream_sent,
             job->req.stream_length, job->stream_error->message);
  job->stream_failed = TRUE;
  if (socket != NULL)
    g_socket_shutdown (socket, FALSE, TRUE, NULL);
  stream_feed (job);
}

/* Main context: a piece read finished. */
static gboolean
stream_piece_ready (gpointer data)
{
  Job *job = data;

  job->stream_reading = FALSE;
  if (job->stream_finished || job->server->closed)
    job_free (job);
  else if (job->stream_error != NULL)
    stream_fail (job);
  else
    stream_feed (job);
  return G_SOURCE_REMOVE;
}

static void
stream_wrote_chunk (SoupServerMessage *msg,
                    gpointer           user_data)
{
  Job *job = user_data;
  MsgState *state = g_object_get_data (G_OBJECT (msg), "hub-state");

  if (job->stream_queued > 0)
    {
      job->stream_queued--;
      if (state != NULL)
        state->stream_written += job->stream_queued_size;
    }
  stream_feed (job);
}

static void
stream_msg_finished (SoupServerMessage *msg,
                     gpointer           user_data)
{
  Job *job = user_data;
  GSource *source;

  job->stream_finished = TRUE;
  g_clear_signal_handler (&job->wrote_chunk_id, msg);
  g_clear_signal_handler (&job->finished_id, msg);
  if (job->stream_sent < job->req.stream_length || job->stream_queued > 0)
    g_debug ("%s: the client left after %" G_GOFFSET_FORMAT " of %" G_GOFFSET_FORMAT " bytes",
             job->req.path, job->stream_sent, job->req.stream_length);
  if (job->stream_reading)
    return;  /* stream_piece_ready() frees it */
  /* not from inside the message's own signal */
  source = g_idle_source_new ();
  g_source_set_callback (source, stream_free_idle, job, NULL);
  g_source_attach (source, job->server->context);
  g_source_unref (source);
}

static void
stream_start (Job *job)
{
  SoupServerMessage *msg = job->msg;
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  MsgState *state = g_object_get_data (G_OBJECT (msg), "hub-state");

  if (state != NULL)
    state->stream_status = job->req.status;
  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
  job->wrote_chunk_id = g_signal_connect (msg, "wrote-chunk", G_CALLBACK (stream_wrote_chunk), job);
  job->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (stream_msg_finished), job);
  stream_feed (job);
}

static gboolean
job_finish (gpointer data)
{
  Job *job = data;
  SoupServerMessage *msg = job->msg;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  MsgState *state = g_object_get_data (G_OBJECT (msg), "hub-state");
  SoupMessageHeadersIter iter;
  const char *name, *value;

  job->server->unanswered--;
  if (job->server->closed)
    {
      /* after the shutdown's timeout: the connection is gone (the statements, if that is
       * what the request was, are written all the same) */
      job_free (job);
      return G_SOURCE_REMOVE;
    }
  if (job->compress_on_main)
    gzip_response (&job->req);
  if (state != NULL && job->principal != NULL)
    state->principal = g_strdup (job->principal->name);

  soup_message_headers_iter_init (&iter, job->req.response_headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    soup_message_headers_append (headers, name, value);
  if (job->xapi)
    soup_message_headers_replace (headers, "X-Experience-API-Version", HUB_XAPI_VERSION);
  if (job->server->shutting_down)
    soup_message_headers_replace (headers, "Connection", "close");

  soup_server_message_set_status (msg, job->req.status, NULL);
  if (job->req.content_type != NULL)
    soup_message_headers_replace (headers, "Content-Type", job->req.content_type);
  else if (job->req.response_body != NULL || job->req.stream_read != NULL)
    soup_message_headers_replace (headers, "Content-Type", "application/octet-stream");
  if (job->req.stream_read != NULL)
    {
      soup_message_headers_set_content_length (headers, job->req.stream_length);
      if (job->server->closed)
        {
          job_free (job);
          return G_SOURCE_REMOVE;
        }
      if (!job->req.is_head && job->req.stream_length > 0)
        {
          stream_start (job);
          return G_SOURCE_REMOVE;
        }
      /* HEAD, or nothing to send: the headers say it all */
    }
  else if (job->req.response_body != NULL)
    {
      /* handed over, not copied: a package download is sent from the bytes the worker
       * read */
      SoupMessageBody *body = soup_server_message_get_response_body (msg);

      soup_message_body_truncate (body);
      soup_message_body_append_bytes (body, job->req.response_body);
      soup_message_headers_set_content_length (headers, g_bytes_get_size (job->req.response_body));
    }
  else if (job->req.status == SOUP_STATUS_NO_CONTENT)
    {
      /* libsoup 3.2 drops Content-Length from a 204 (as HTTP says) and then takes the
       * answer as "ends when the connection closes": it closes a keep-alive connection
       * after it without saying so, and a client that reuses the connection waits for a
       * reply that never comes. Say it. */
      soup_message_headers_replace (headers, "Connection", "close");
    }
  else
    {
      /* other body-less answers (304, …): an explicit zero length keeps the connection */
      soup_message_headers_set_content_length (headers, 0);
    }

  soup_server_message_unpause (msg);
  job_free (job);
  return G_SOURCE_REMOVE;
}

/* Set on the request workers' threads (see pool_func()). */
static GPrivate on_worker = G_PRIVATE_INIT (NULL);

/* The answer is complete (see hub_request_suspend()): on the worker, or on the thread that
 * resumed it. A suspended request is mostly resumed by the statement writer, whose time
 * is every other request's wait: there the compression is left to the main context. */
static void
job_answer (gpointer data)
{
  Job *job = data;
  HubRequest *req = &job->req;

  if (req->status == 0)
    hub_respond_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "the handler gave no answer");
  if (g_private_get (&on_worker) != NULL)
    gzip_response (req);
  else
    job->compress_on_main = TRUE;
  sy_main_context_post (job->server->context, job_finish, job, NULL);
}

static void
pool_func (gpointer data,
           gpointer user_data)
{
  Job *job = data;

  g_private_set (&on_worker, GINT_TO_POINTER (1));
  worker_run (job);
  /* the first piece of a streamed body now, while an error can still be a 500 */
  if (job->req.stream_read != NULL && !job->req.is_head && job->req.stream_length > 0)
    {
      stream_read_piece (job);
      if (job->stream_error != NULL)
        {
          g_warning ("cannot read the body of %s: %s", job->req.path, job->stream_error->message);
          hub_respond_error (&job->req, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                             "could not read the response body: %s", job->stream_error->message);
          g_clear_error (&job->stream_error);
        }
    }
  /* a query left open would keep this thread's connection on an old snapshot */
  hub_store_release (job->server->store);
  /* the worker's hold: the answer goes out now, or when a suspended handler's other
   * thread resumes it */
  hub_request_resume (&job->req);
}

/* The piece reads of streamed bodies run on threads of their own, few of them: each thread
 * has its own database connection, whose page cache fills as a package's chunks pass
 * through it, and a download should not hold a request worker while a slow client takes
 * its time anyway. */
static void
stream_pool_func (gpointer data,
                  gpointer user_data)
{
  Job *job = data;

  stream_read_piece (job);
  hub_store_release (job->server->store);
  sy_main_context_post (job->server->context, stream_piece_ready, job, NULL);
}

static char *
request_base_url (HubServer         *server,
                  SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  const char *scheme = g_uri_get_scheme (uri);
  const char *host = soup_message_headers_get_one (headers, "Host");

  if (server->config->public_url != NULL)
    {
      g_autofree char *url = g_strdup (server->config->public_url);

      while (g_str_has_suffix (url, "/"))
        url[strlen (url) - 1] = '\0';
      return g_steal_pointer (&url);
    }
  if (server->config->trust_proxy)
    {
      const char *proto = soup_message_headers_get_one (headers, "X-Forwarded-Proto");
      const char *fhost = soup_message_headers_get_one (headers, "X-Forwarded-Host");

      if (proto != NULL && (g_str_equal (proto, "http") || g_str_equal (proto, "https")))
        scheme = proto;
      if (fhost != NULL && *fhost != '\0' && strchr (fhost, '/') == NULL)
        host = fhost;
    }
  if (host == NULL || *host == '\0' || strpbrk (host, "/ \t@") != NULL)
    return g_strdup (server->url);
  return g_strdup_printf ("%s://%s", scheme, host);
}

static gboolean
is_form_header (const char *name)
{
  static const char *const names[] = {
    "Authorization", "X-Experience-API-Version", "Content-Type", "Content-Length",
    "If-Match", "If-None-Match",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i]) == 0)
      return TRUE;
  return FALSE;
}

/* xAPI's alternate request syntax (Communication 1.3): POST …?method=PUT with the headers,
 * the parameters and the content in an urlencoded form. Rewrites the request in @job;
 * FALSE after answering 400. */
static gboolean
apply_alternate_syntax (SoupServerMessage *msg,
                        Job               *job,
                        const char        *intended)
{
  HubRequest *req = &job->req;
  g_autofree char *text = NULL;
  g_autoptr(GHashTable) form = NULL;
  const char *type = soup_message_headers_get_content_type (req->request_headers, NULL);
  static const char *const methods[] = { "GET", "PUT", "POST", "DELETE", "HEAD" };
  const char *method = NULL;
  gboolean has_content_type = FALSE;
  GHashTableIter iter;
  gpointer key, value;
  gsize size;
  const char *data;

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    if (g_str_equal (intended, methods[i]))
      method = methods[i];
  if (method == NULL)
    {
      g_autofree char *message =
        g_strdup_printf ("method=%s is not an xAPI method (GET, PUT, POST or DELETE)", intended);

      msg_respond_error (msg, SOUP_STATUS_BAD_REQUEST, message);
      return FALSE;
    }
  if (g_hash_table_size (req->query) != 1)
    {
      msg_respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                         "with the alternate request syntax (?method=…), every other parameter "
                         "goes in the form body, not in the query string");
      return FALSE;
    }
  data = g_bytes_get_data (req->body, &size);
  if (size > 0 && g_strcmp0 (type, "application/x-www-form-urlencoded") != 0)
    {
      msg_respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                         "with the alternate request syntax (?method=…), the body must be "
                         "application/x-www-form-urlencoded");
      return FALSE;
    }
  text = g_strndup (data != NULL ? data : "", size);
  form = soup_form_decode (text);
  if (form == NULL)
    {
      msg_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "the form body cannot be decoded");
      return FALSE;
    }

  g_hash_table_remove_all (req->query);
  g_bytes_unref (req->body);
  req->body = g_bytes_new (NULL, 0);
  soup_message_headers_remove (req->request_headers, "Content-Type");
  soup_message_headers_remove (req->request_headers, "Content-Length");
  g_hash_table_iter_init (&iter, form);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (g_str_equal (key, "content"))
        {
          g_bytes_unref (req->body);
          req->body = g_bytes_new (value, strlen (value));
        }
      else if (is_form_header (key))
        {
          if (g_ascii_strcasecmp (key, "Content-Length") == 0)
            continue;  /* recomputed below */
          if (g_ascii_strcasecmp (key, "Content-Type") == 0)
            has_content_type = TRUE;
          soup_message_headers_replace (req->request_headers, key, value);
        }
      else
        g_hash_table_insert (req->query, g_strdup (key), g_strdup (value));
    }
  if (!has_content_type && g_bytes_get_size (req->body) > 0)
    soup_message_headers_replace (req->request_headers, "Content-Type", "application/json");
  if (g_bytes_get_size (req->body) > 0)
    soup_message_headers_set_content_length (req->request_headers, g_bytes_get_size (req->body));
  req->is_head = g_str_equal (method, "HEAD");
  req->method = req->is_head ? "GET" : method;
  g_clear_pointer (&job->content_encoding, g_free);
  return TRUE;
}

static void
server_callback (SoupServer        *soup,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  HubServer *server = user_data;
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GString) allow = g_string_new (NULL);
  const HubRoute *route;
  gboolean xapi = is_xapi_path (path);
  MsgState *state = g_object_get_data (G_OBJECT (msg), "hub-state");
  SoupMessageBody *body;
  SoupMessageHeaders *headers;
  const char *version;
  Job *job;

  if (state != NULL && state->too_large)
    return;  /* answered already */
  if (xapi)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "X-Experience-API-Version", HUB_XAPI_VERSION);

  /* The request as the handler will see it: a copy, which the alternate syntax rewrites. */
  job = g_new0 (Job, 1);
  job->server = server;
  job->xapi = xapi;
  job->req.store = server->store;
  job->req.config = server->config;
  job->req.holds = 1;  /* the worker's, until its handler has returned */
  job->req.resume = job_answer;
  job->req.job = job;
  job->req.is_head = (method == SOUP_METHOD_HEAD);
  job->req.method = job->req.is_head ? "GET" : g_intern_string (method);
  job->req.path = g_strdup (path);
  job->req.query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (query != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, query);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (job->req.query, g_strdup (key), g_strdup (value));
    }
  headers = job->req.request_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  {
    SoupMessageHeadersIter iter;
    const char *name, *value;

    soup_message_headers_iter_init (&iter, request_headers);
    while (soup_message_headers_iter_next (&iter, &name, &value))
      soup_message_headers_append (headers, name, value);
  }
  /* Range is the handler's business (packages): left on the message, libsoup would cut
   * every 200 answer to a GET into a 206 by itself. */
  soup_message_headers_remove (request_headers, "Range");
  body = soup_server_message_get_request_body (msg);
  job->req.body = body != NULL ? soup_message_body_flatten (body) : g_bytes_new (NULL, 0);
  job->req.response_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  job->req.principal = &anonymous;
  job->content_encoding = g_strdup (soup_message_headers_get_one (headers, "Content-Encoding"));
  if (job->content_encoding != NULL)
    g_strstrip (job->content_encoding);

  if (xapi && method == SOUP_METHOD_POST && g_hash_table_contains (job->req.query, "method") &&
      !apply_alternate_syntax (msg, job, g_hash_table_lookup (job->req.query, "method")))
    {
      job_free (job);
      return;
    }
  method = job->req.is_head ? "HEAD" : job->req.method;

  route = find_route (server, path, method, allow);
  if (route == NULL && allow->len == 0)
    {
      g_autofree char *message = g_strdup_printf ("there is no resource at %s", path);

      msg_respond_error (msg, SOUP_STATUS_NOT_FOUND, message);
      job_free (job);
      return;
    }
  if (route == NULL)
    {
      g_autofree char *message = g_strdup_printf ("%s does not accept %s; it accepts %s",
                                                  path, method, allow->str);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", allow->str);
      msg_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, message);
      job_free (job);
      return;
    }
  if (route->handler == NULL)
    {
      msg_respond_error (msg, SOUP_STATUS_NOT_IMPLEMENTED, "this resource is not implemented yet");
      job_free (job);
      return;
    }

  version = soup_message_headers_get_one (headers, "X-Experience-API-Version");
  if ((route->flags & HUB_ROUTE_XAPI) && (version == NULL || !xapi_version_ok (version)))
    {
      g_autofree char *message = NULL;

      if (version == NULL)
        message = g_strdup ("the X-Experience-API-Version header is missing; this hub speaks "
                            "xAPI " HUB_XAPI_VERSION " (send 1.0.3)");
      else
        message = g_strdup_printf ("X-Experience-API-Version %s is not supported; this hub "
                                   "speaks xAPI 1.0.x (send 1.0.3)", version);
      msg_respond_error (msg, SOUP_STATUS_BAD_REQUEST, message);
      job_free (job);
      return;
    }

  job->msg = g_object_ref (msg);
  job->route = route;
  job->client_address = g_strdup (client_address (server, msg));
  job->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  job->req.base_url = request_base_url (server, msg);

  if (server->pool == NULL)
    {
      /* being freed: no worker takes requests any more */
      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      job_free (job);
      return;
    }
  soup_server_message_pause (msg);
  server->unanswered++;
  g_thread_pool_push (server->pool, job, NULL);
}

static const HubRoute health_route = { "GET", "/health", HUB_ROUTE_PUBLIC, health_handler };

static void
add_routes (HubServer      *server,
            const HubRoute *table)
{
  for (guint i = 0; table[i].path != NULL; i++)
    g_ptr_array_add (server->routes, (gpointer) &table[i]);
}

/* Closes connections the client has closed (an end of stream waits to be read) and
 * connections idle for too long; forgets connections libsoup has closed. */
static gboolean
reap_connections (gpointer data)
{
  HubServer *server = data;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, server->connections);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GSocket *socket = key;
      Connection *connection = value;
      gboolean close_it = FALSE;
      char byte;

      if (g_socket_is_closed (socket))
        {
          g_hash_table_iter_remove (&iter);
          continue;
        }
      if (connection->busy > 0)
        continue;
      if (now - connection->idle_since_us > (gint64) KEEPALIVE_TIMEOUT_S * G_USEC_PER_SEC)
        close_it = TRUE;
      else if (g_socket_condition_check (socket, G_IO_IN | G_IO_HUP | G_IO_ERR) != 0)
        {
          /* readable while idle: a new request (leave it to libsoup) or the end */
          ssize_t n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);

          close_it = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
                                errno != EINTR);
        }
      if (close_it)
        {
          g_socket_close (socket, NULL);
          g_hash_table_iter_remove (&iter);
        }
    }
  return G_SOURCE_CONTINUE;
}

HubServer *
hub_server_new (HubStore         *store,
                const HubConfig  *config,
                GError          **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  HubServer *server;
  guint workers;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);

  if (sodium_init () < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot initialise libsodium");
      return NULL;
    }

  if (config->tls_cert != NULL || config->tls_key != NULL)
    {
      if (config->tls_cert == NULL || config->tls_key == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "TLS needs both --tls-cert and --tls-key");
          return NULL;
        }
      certificate = g_tls_certificate_new_from_files (config->tls_cert, config->tls_key, error);
      if (certificate == NULL)
        {
          g_prefix_error (error, "cannot load the TLS certificate %s / key %s: ",
                          config->tls_cert, config->tls_key);
          return NULL;
        }
    }

  server = g_new0 (HubServer, 1);
  server->store = store;
  server->config = config;
  server->context = g_main_context_ref_thread_default ();
  g_mutex_init (&server->lock);
  server->connections = g_hash_table_new_full (g_direct_hash, g_direct_equal,
                                               g_object_unref, g_free);
  server->reaper = g_timeout_source_new_seconds (REAPER_INTERVAL_S);
  g_source_set_callback (server->reaper, reap_connections, server, NULL);
  g_source_attach (server->reaper, server->context);
  server->auth_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, auth_entry_free);
  server->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (config->rate_limit > 0)
    {
      server->rate_per_s = config->rate_limit / 60.0;
      server->burst = config->rate_burst > 0 ? config->rate_burst
                                              : MAX (20.0, 2 * server->rate_per_s);
    }

  if (config->access_log != NULL)
    {
      if (g_str_equal (config->access_log, "-"))
        server->access_log = stderr;
      else
        {
          server->access_log = fopen (config->access_log, "a");
          if (server->access_log == NULL)
            {
              int saved = errno;

              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                           "cannot open the access log %s: %s", config->access_log,
                           g_strerror (saved));
              hub_server_free (server);
              return NULL;
            }
          server->own_log = TRUE;
        }
    }

  server->routes = g_ptr_array_new ();
  g_ptr_array_add (server->routes, (gpointer) &health_route);
  add_routes (server, hub_routes_statements);
  add_routes (server, hub_routes_documents);
  add_routes (server, hub_routes_access);
  add_routes (server, hub_routes_catalog);
  add_routes (server, hub_routes_reports);

  workers = config->workers;
  if (workers == 0)
    workers = MAX (16, 4 * g_get_num_processors ());
  /* exclusive: the threads, and their database connections, live as long as the server */
  server->pool = g_thread_pool_new (pool_func, server, (int) workers, TRUE, error);
  if (server->pool == NULL)
    {
      hub_server_free (server);
      return NULL;
    }
  server->stream_pool = g_thread_pool_new (stream_pool_func, server,
                                           (int) MIN (workers, STREAM_WORKERS), TRUE, error);
  if (server->stream_pool == NULL)
    {
      hub_server_free (server);
      return NULL;
    }

  server->soup = soup_server_new ("server-header", "shuyuan-hub/" PACKAGE_VERSION " ",
                                  "tls-certificate", certificate,
                                  NULL);
  g_signal_connect (server->soup, "request-started", G_CALLBACK (request_started), server);
  soup_server_add_handler (server->soup, NULL, server_callback, server, NULL);
  return server;
}

static GSocketAddress *
parse_listen (const char  *listen,
              GError     **error)
{
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *hostname;
  guint16 port;

  connectable = g_network_address_parse (listen, 0, error);
  if (connectable == NULL)
    {
      g_prefix_error (error, "cannot read --listen %s (want HOST:PORT, e.g. 127.0.0.1:8080 or "
                      "[::1]:8080): ", listen);
      return NULL;
    }
  hostname = g_network_address_get_hostname (G_NETWORK_ADDRESS (connectable));
  port = g_network_address_get_port (G_NETWORK_ADDRESS (connectable));
  if (!g_regex_match_simple (":[0-9]+$", listen, 0, 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--listen %s has no port (want HOST:PORT; port 0 picks a free one)", listen);
      return NULL;
    }
  address = g_inet_address_new_from_string (hostname);
  if (address == NULL)
    {
      g_autoptr(GResolver) resolver = g_resolver_get_default ();
      GList *addresses = g_resolver_lookup_by_name (resolver, hostname, NULL, error);

      if (addresses == NULL)
        {
          g_prefix_error (error, "cannot resolve the --listen host %s: ", hostname);
          return NULL;
        }
      address = g_object_ref (addresses->data);
      g_resolver_free_addresses (addresses);
    }
  return g_inet_socket_address_new (address, port);
}

gboolean
hub_server_listen (HubServer  *server,
                   GError    **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocket) socket = NULL;
  SoupServerListenOptions options = 0;
  GSList *uris;

  g_return_val_if_fail (server != NULL, FALSE);

  address = parse_listen (server->config->listen, error);
  if (address == NULL)
    return FALSE;
  if (server->config->tls_cert != NULL)
    options |= SOUP_SERVER_LISTEN_HTTPS;
  /* our own socket: GSocketListener's backlog of 10 drops connections when a few dozen
   * clients arrive at once */
  socket = g_socket_new (g_socket_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL ||
      !g_socket_bind (socket, address, TRUE, error) ||
      (g_socket_set_listen_backlog (socket, LISTEN_BACKLOG), !g_socket_listen (socket, error)) ||
      !soup_server_listen_socket (server->soup, socket, options, error))
    {
      g_prefix_error (error, "cannot listen on %s: ", server->config->listen);
      return FALSE;
    }

  uris = soup_server_get_uris (server->soup);
  if (uris != NULL)
    {
      g_autofree char *text = g_uri_to_string (uris->data);

      while (g_str_has_suffix (text, "/"))
        text[strlen (text) - 1] = '\0';
      g_free (server->url);
      server->url = g_steal_pointer (&text);
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
}

const char *
hub_server_get_url (HubServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);

  return server->url;
}

static gboolean
shutdown_timeout (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

void
hub_server_shutdown (HubServer *server,
                     guint      timeout_ms)
{
  GSList *listeners;
  GSource *timer;
  gboolean timed_out = FALSE;

  g_return_if_fail (server != NULL);

  if (server->soup == NULL)
    return;
  server->shutting_down = TRUE;

  /* stop accepting: the listening sockets stop, existing connections carry on */
  listeners = soup_server_get_listeners (server->soup);
  for (GSList *l = listeners; l != NULL; l = l->next)
    {
      g_socket_shutdown (l->data, TRUE, FALSE, NULL);
      g_socket_close (l->data, NULL);
    }
  g_slist_free (listeners);

  timer = g_timeout_source_new (timeout_ms);
  g_source_set_callback (timer, shutdown_timeout, &timed_out, NULL);
  g_source_attach (timer, server->context);
  while (server->in_flight > 0 && !timed_out)
    g_main_context_iteration (server->context, TRUE);
  g_source_destroy (timer);
  g_source_unref (timer);
  if (server->in_flight > 0)
    g_warning ("%u requests still running after %u ms; closing their connections",
               server->in_flight, timeout_ms);

  /* let the last responses go out */
  for (guint i = 0; i < 100 && g_main_context_pending (server->context); i++)
    g_main_context_iteration (server->context, FALSE);

  server->closed = TRUE;
  soup_server_disconnect (server->soup);
}

void
hub_server_free (HubServer *server)
{
  if (server == NULL)
    return;

  server->closed = TRUE;  /* streams read no further pieces */
  if (server->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&server->pool), FALSE, TRUE);
  /* suspended requests: their answers come from the statement writer, which writes what
   * it was given before the store stops, and post to this context */
  while (server->unanswered > 0)
    g_main_context_iteration (server->context, TRUE);
  if (server->stream_pool != NULL)
    g_thread_pool_free (server->stream_pool, FALSE, TRUE);
  /* jobs that finished on the way out */
  while (g_main_context_pending (server->context))
    g_main_context_iteration (server->context, FALSE);
  if (server->reaper != NULL)
    g_source_destroy (server->reaper);
  g_clear_pointer (&server->reaper, g_source_unref);
  g_clear_object (&server->soup);
  g_clear_pointer (&server->connections, g_hash_table_unref);
  g_clear_pointer (&server->routes, g_ptr_array_unref);
  g_clear_pointer (&server->auth_cache, g_hash_table_unref);
  g_clear_pointer (&server->buckets, g_hash_table_unref);
  g_mutex_clear (&server->lock);
  if (server->own_log && server->access_log != NULL)
    fclose (server->access_log);
  g_clear_pointer (&server->context, g_main_context_unref);
  g_free (server->url);
  g_free (server);
}
