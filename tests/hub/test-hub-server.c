/* test-hub-server.c — the server itself: listening, routing, limits, logs, shutdown, TLS
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ShuyuanHubTest"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <zlib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hub-db.h"
#include "hub-server.h"
#include "hub-test-util.h"

#define LEARNER "/api/v1/learners/3f1c2a9e-5b7d-4c1e-9a2f-0123456789ab"

static const char *
error_message (HubTestResponse *response)
{
  json_object *error, *message;

  if (response->json == NULL || !json_object_object_get_ex (response->json, "error", &error) ||
      !json_object_object_get_ex (error, "message", &message))
    return "";
  return json_object_get_string (message);
}

static char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("shuyuan-hub-server-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tmp_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
test_health (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autoptr(HubTestResponse) get = NULL;
  g_autoptr(HubTestResponse) head = NULL;

  g_assert_true (g_str_has_prefix (hub->url, "http://127.0.0.1:"));
  g_assert_false (g_str_has_suffix (hub->url, ":0"));

  get = hub_test_request (hub, "GET", "/health", NULL, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (get, 200);
  g_assert_nonnull (get->json);
  g_assert_cmpstr (json_object_get_string (json_object_object_get (get->json, "status")), ==, "ok");

  head = hub_test_request (hub, "HEAD", "/health", NULL, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (head, 200);
  g_assert_cmpuint (g_bytes_get_size (head->body), ==, 0);
  g_assert_cmpint (soup_message_headers_get_content_length (head->headers), ==,
                   g_bytes_get_size (get->body));
  g_assert_cmpstr (soup_message_headers_get_content_type (head->headers, NULL), ==,
                   "application/json");

  hub_test_hub_stop (hub);
}

static gboolean
ipv6_loopback_works (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  return socket != NULL && g_socket_bind (socket, address, TRUE, NULL);
}

static void
test_ipv6 (void)
{
  HubTestHub *hub;
  g_autoptr(HubTestResponse) response = NULL;

  if (!ipv6_loopback_works ())
    {
      g_test_skip ("IPv6 loopback is not available");
      return;
    }
  hub = hub_test_hub_start (NULL, "--listen", "[::1]:0", NULL);
  g_assert_true (g_str_has_prefix (hub->url, "http://[::1]:"));
  response = hub_test_request (hub, "GET", "/health", NULL, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (response, 200);
  hub_test_hub_stop (hub);
}

static void
test_routing (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autoptr(HubTestResponse) missing = NULL;
  g_autoptr(HubTestResponse) method = NULL;
  g_autoptr(HubTestResponse) xapi_missing = NULL;

  missing = hub_test_request (hub, "GET", "/no/such/thing", NULL, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (missing, 404);
  g_assert_nonnull (missing->json);
  g_assert_nonnull (strstr (error_message (missing), "/no/such/thing"));

  method = hub_test_request (hub, "DELETE", "/health", NULL, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (method, 405);
  g_assert_cmpstr (soup_message_headers_get_one (method->headers, "Allow"), ==, "GET, HEAD");
  g_assert_nonnull (strstr (error_message (method), "DELETE"));

  /* under /xapi/, even a 404 carries the version */
  xapi_missing = hub_test_request (hub, "GET", "/xapi/no-such-resource", NULL, NULL, NULL, 0,
                                   NULL, NULL);
  hub_test_assert_status (xapi_missing, 404);
  g_assert_cmpstr (soup_message_headers_get_one (xapi_missing->headers, "X-Experience-API-Version"),
                   ==, HUB_XAPI_VERSION);

  hub_test_hub_stop (hub);
}

/* A GET route that needs the version header, if the xAPI parts have one yet. */
static const char *
find_xapi_route (void)
{
  const HubRoute *tables[] = { hub_routes_statements, hub_routes_documents };

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    for (const HubRoute *route = tables[t]; route->path != NULL; route++)
      if ((route->flags & HUB_ROUTE_XAPI) && strstr (route->methods, "GET") != NULL &&
          !g_str_has_suffix (route->path, "*"))
        return route->path;
  return NULL;
}

static void
test_xapi_version (void)
{
  const char *path = find_xapi_route ();
  const char *versions[] = { "", "0.95", "1.1.0", "2.0.0", "1.0.3x" };
  HubTestHub *hub;

  if (path == NULL)
    {
      g_test_skip ("no xAPI route needs the version header yet");
      return;
    }
  hub = hub_test_hub_start (NULL, NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autoptr(HubTestResponse) bad =
        hub_test_request (hub, "GET", path, hub->admin, NULL, NULL, 0,
                          "X-Experience-API-Version", versions[i], NULL);

      hub_test_assert_status (bad, 400);
      g_assert_nonnull (strstr (error_message (bad), "X-Experience-API-Version"));
      g_assert_cmpstr (soup_message_headers_get_one (bad->headers, "X-Experience-API-Version"),
                       ==, HUB_XAPI_VERSION);
    }

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(HubTestResponse) good =
        hub_test_request (hub, "GET", path, hub->admin, NULL, NULL, 0,
                          "X-Experience-API-Version", i == 0 ? "1.0.3" : "1.0.0", NULL);
      g_autoptr(HubTestResponse) anonymous =
        hub_test_request (hub, "GET", path, NULL, NULL, NULL, 0, NULL, NULL);

      /* whatever the resource answers, it is not about the version */
      g_assert_null (strstr (error_message (good), "X-Experience-API-Version"));
      g_assert_cmpstr (soup_message_headers_get_one (good->headers, "X-Experience-API-Version"),
                       ==, HUB_XAPI_VERSION);
      hub_test_assert_status (anonymous, 401);
      g_assert_cmpstr (soup_message_headers_get_one (anonymous->headers, "X-Experience-API-Version"),
                       ==, HUB_XAPI_VERSION);
    }

  hub_test_hub_stop (hub);
}

static void
test_alternate_syntax (void)
{
  const char *path = find_xapi_route ();
  HubTestHub *hub;
  g_autofree char *encoded = NULL;
  g_autofree char *authorization = NULL;
  g_autofree char *form_ok = NULL;
  g_autofree char *form_no_auth = NULL;
  g_autofree char *url = NULL;
  g_autofree char *url_extra = NULL;
  g_autoptr(HubTestResponse) no_version = NULL;
  g_autoptr(HubTestResponse) no_auth = NULL;
  g_autoptr(HubTestResponse) ok = NULL;
  g_autoptr(HubTestResponse) extra = NULL;
  g_autoptr(HubTestResponse) bad_method = NULL;

  if (path == NULL)
    {
      g_test_skip ("no xAPI route needs the version header yet");
      return;
    }
  hub = hub_test_hub_start (NULL, NULL, NULL);
  encoded = g_base64_encode ((const guchar *) hub->admin, strlen (hub->admin));
  authorization = g_strconcat ("Basic ", encoded, NULL);
  form_ok = soup_form_encode ("Authorization", authorization, "X-Experience-API-Version", "1.0.3",
                              NULL);
  form_no_auth = soup_form_encode ("X-Experience-API-Version", "1.0.3", NULL);
  url = g_strconcat (path, "?method=GET", NULL);
  url_extra = g_strconcat (path, "?method=GET&limit=1", NULL);

  /* the version and the credentials come from the form */
  no_version = hub_test_request (hub, "POST", url, NULL, "application/x-www-form-urlencoded",
                                 "a=b", -1, "X-Experience-API-Version", "", NULL);
  hub_test_assert_status (no_version, 400);
  g_assert_nonnull (strstr (error_message (no_version), "X-Experience-API-Version"));
  no_auth = hub_test_request (hub, "POST", url, NULL, "application/x-www-form-urlencoded",
                              form_no_auth, -1, "X-Experience-API-Version", "", NULL);
  hub_test_assert_status (no_auth, 401);
  ok = hub_test_request (hub, "POST", url, NULL, "application/x-www-form-urlencoded",
                         form_ok, -1, "X-Experience-API-Version", "", NULL);
  g_assert_cmpuint (ok->status, !=, 401);
  g_assert_null (strstr (error_message (ok), "X-Experience-API-Version"));
  g_assert_cmpstr (soup_message_headers_get_one (ok->headers, "X-Experience-API-Version"), ==,
                   HUB_XAPI_VERSION);

  extra = hub_test_request (hub, "POST", url_extra, NULL, "application/x-www-form-urlencoded",
                            form_ok, -1, NULL, NULL);
  hub_test_assert_status (extra, 400);
  g_assert_nonnull (strstr (error_message (extra), "alternate request syntax"));
  bad_method = hub_test_request (hub, "POST", "/xapi/about?method=PATCH", NULL,
                                 "application/x-www-form-urlencoded", form_ok, -1, NULL, NULL);
  hub_test_assert_status (bad_method, 400);

  hub_test_hub_stop (hub);
}

static void
test_auth (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autofree char *wrong = g_strconcat (hub->admin, "x", NULL);
  g_autoptr(HubTestResponse) none = NULL;
  g_autoptr(HubTestResponse) bad = NULL;
  g_autoptr(HubTestResponse) unknown = NULL;
  g_autoptr(HubTestResponse) garbage = NULL;
  g_autoptr(HubTestResponse) good = NULL;
  g_autoptr(HubTestResponse) again = NULL;

  none = hub_test_request (hub, "GET", "/api/v1/learners", NULL, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (none, 401);
  g_assert_cmpstr (soup_message_headers_get_one (none->headers, "WWW-Authenticate"), ==,
                   "Basic realm=\"shuyuan-hub\"");

  bad = hub_test_request (hub, "GET", "/api/v1/learners", wrong, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (bad, 401);
  g_assert_nonnull (strstr (error_message (bad), "not accepted"));

  unknown = hub_test_request (hub, "GET", "/api/v1/learners", "nobody:secret", NULL, NULL, 0,
                              NULL, NULL);
  hub_test_assert_status (unknown, 401);

  garbage = hub_test_request (hub, "GET", "/api/v1/learners", NULL, NULL, NULL, 0,
                              "Authorization", "Basic !!!not-base64", NULL);
  hub_test_assert_status (garbage, 401);

  good = hub_test_request (hub, "GET", "/api/v1/learners", hub->admin, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (good, 200);
  /* a second time through the credential cache */
  again = hub_test_request (hub, "GET", "/api/v1/learners", hub->admin, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (again, 200);

  hub_test_hub_stop (hub);
}

static void
test_max_body (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, "--max-body", "1000", NULL);
  g_autofree char *big = g_strnfill (5000, ' ');
  g_autoptr(HubTestResponse) declared = NULL;
  g_autoptr(HubTestResponse) small = NULL;
  g_autoptr(HubTestResponse) health = NULL;
  g_autoptr(SoupMessage) chunked = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strconcat (hub->url, LEARNER, NULL);
  g_autofree char *encoded = g_base64_encode ((const guchar *) hub->admin, strlen (hub->admin));
  g_autofree char *authorization = g_strconcat ("Basic ", encoded, NULL);

  declared = hub_test_request (hub, "PUT", LEARNER, hub->admin, NULL, big, -1, NULL, NULL);
  hub_test_assert_status (declared, 413);
  g_assert_nonnull (strstr (error_message (declared), "1000"));

  /* no Content-Length: the limit applies as the body arrives */
  chunked = soup_message_new ("PUT", url);
  soup_message_headers_replace (soup_message_get_request_headers (chunked), "Authorization",
                                authorization);
  stream = g_memory_input_stream_new_from_data (g_strnfill (200000, ' '), 200000, g_free);
  soup_message_set_request_body (chunked, "application/json", stream, -1);
  reply = soup_session_send_and_read (hub->session, chunked, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (chunked), ==, 413);

  /* and the hub goes on serving */
  small = hub_test_request (hub, "PUT", LEARNER, hub->admin, NULL, "{\"name\": \"A\", \"org\": \"x\"}",
                            -1, NULL, NULL);
  g_assert_cmpuint (small->status, !=, 413);
  health = hub_test_request (hub, "GET", "/health", NULL, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (health, 200);

  hub_test_hub_stop (hub);
}

static GBytes *
gzip_bytes (const char *data,
            gsize       size)
{
  z_stream zs = { 0 };
  gsize capacity = compressBound (size) + 64;
  guchar *out = g_malloc (capacity);

  g_assert_cmpint (deflateInit2 (&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), ==, Z_OK);
  zs.next_in = (Bytef *) data;
  zs.avail_in = size;
  zs.next_out = out;
  zs.avail_out = capacity;
  g_assert_cmpint (deflate (&zs, Z_FINISH), ==, Z_STREAM_END);
  deflateEnd (&zs);
  return g_bytes_new_take (out, zs.total_out);
}

static void
test_gzip (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, "--max-body", "100000", NULL);
  const char *json = "{\"name\": \"Ann\", \"roles\": [\"learner\"], \"org\": \"Clinic A\"}";
  g_autoptr(GBytes) packed = gzip_bytes (json, strlen (json));
  g_autofree char *zeros = g_malloc0 (1000000);
  g_autoptr(GBytes) bomb = NULL;
  g_autoptr(HubTestResponse) good = NULL;
  g_autoptr(HubTestResponse) corrupt = NULL;
  g_autoptr(HubTestResponse) truncated = NULL;
  g_autoptr(HubTestResponse) large = NULL;
  g_autoptr(HubTestResponse) unknown = NULL;
  g_autofree char *out = NULL;
  gsize size;
  const char *data;

  /* the organisation must exist before an admin registers a learner to it */
  g_assert_cmpint (hub_test_hub_command (hub->target, &out, NULL, "enrol-code", "--org", "Clinic A",
                                         NULL), ==, 0);

  data = g_bytes_get_data (packed, &size);
  good = hub_test_request (hub, "PUT", LEARNER, hub->admin, NULL, data, size,
                           "Content-Encoding", "gzip", NULL);
  hub_test_assert_status (good, 201);
  g_assert_cmpstr (json_object_get_string (json_object_object_get (good->json, "name")), ==, "Ann");

  corrupt = hub_test_request (hub, "PUT", LEARNER, hub->admin, NULL, "not gzip at all", -1,
                              "Content-Encoding", "gzip", NULL);
  hub_test_assert_status (corrupt, 400);
  g_assert_nonnull (strstr (error_message (corrupt), "gzip"));

  truncated = hub_test_request (hub, "PUT", LEARNER, hub->admin, NULL, data, size - 6,
                                "Content-Encoding", "gzip", NULL);
  hub_test_assert_status (truncated, 400);

  /* small on the wire, too big once inflated */
  bomb = gzip_bytes (zeros, 1000000);
  data = g_bytes_get_data (bomb, &size);
  g_assert_cmpuint (size, <, 100000);
  large = hub_test_request (hub, "PUT", LEARNER, hub->admin, NULL, data, size,
                            "Content-Encoding", "gzip", NULL);
  hub_test_assert_status (large, 413);

  unknown = hub_test_request (hub, "PUT", LEARNER, hub->admin, NULL, json, -1,
                              "Content-Encoding", "br", NULL);
  hub_test_assert_status (unknown, 415);

  hub_test_hub_stop (hub);
}

static void
test_rate_limit (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, "--rate-limit", "60", NULL);
  g_autoptr(HubTestResponse) limited = NULL;
  g_autoptr(HubTestResponse) later = NULL;
  guint64 retry_after = 0;
  const char *value;

  /* 1 per second with a burst of 20: somewhere past 20 requests the hub says wait */
  for (guint i = 0; i < 100 && limited == NULL; i++)
    {
      HubTestResponse *response = hub_test_request (hub, "GET", "/api/v1/learners", hub->admin,
                                                    NULL, NULL, 0, NULL, NULL);

      if (response->status == 429)
        limited = response;
      else
        {
          hub_test_assert_status (response, 200);
          hub_test_response_free (response);
        }
    }
  g_assert_nonnull (limited);
  value = soup_message_headers_get_one (limited->headers, "Retry-After");
  g_assert_nonnull (value);
  g_assert_true (g_ascii_string_to_unsigned (value, 10, 1, 60, &retry_after, NULL));
  g_assert_nonnull (strstr (error_message (limited), "too many requests"));

  g_usleep (retry_after * G_USEC_PER_SEC + 100000);
  later = hub_test_request (hub, "GET", "/api/v1/learners", hub->admin, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (later, 200);

  hub_test_hub_stop (hub);
}

static void
test_access_log (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *log = g_build_filename (dir, "access.log", NULL);
  HubTestHub *hub = hub_test_hub_start (NULL, "--access-log", log, NULL);
  g_autoptr(HubTestResponse) response = NULL;
  g_autofree char *admin_name = g_strndup (hub->admin, strchr (hub->admin, ':') - hub->admin);
  g_autofree char *expected = g_strdup_printf (" 127.0.0.1 %s GET /api/v1/learners 200 ", admin_name);
  g_autofree char *text = NULL;

  response = hub_test_request (hub, "GET", "/api/v1/learners", hub->admin, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (response, 200);
  hub_test_hub_stop (hub);

  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, " 127.0.0.1 - GET /health 200 "));
  g_assert_nonnull (strstr (text, expected));
  g_assert_true (g_regex_match_simple ("^20[0-9-]+T[0-9:.]+Z 127\\.0\\.0\\.1 \\S+ GET /health 200 [0-9]+ [0-9.]+ms$",
                                       text, G_REGEX_MULTILINE, 0));
  remove_tmp_dir (dir);
}

typedef struct
{
  guint done;
  guint ok;
} Slow;

static void
slow_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Slow *slow = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  slow->done++;
  if (body != NULL && soup_message_get_status (msg) == 200)
    slow->ok++;
}

static void
test_sigterm (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(SoupSession) session = NULL;
  g_autofree char *url = g_strconcat (hub->url, "/health?delay_ms=3000", NULL);
  Slow slow = { 0 };
  gint64 deadline;

  g_main_context_push_thread_default (context);
  session = soup_session_new_with_options ("max-conns", 64, "max-conns-per-host", 64,
                                           "timeout", 60, NULL);
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

      soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, slow_done, &slow);
    }
  /* let them reach the hub */
  deadline = g_get_monotonic_time () + 500 * 1000;
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, FALSE), g_usleep (1000);
  g_assert_cmpuint (slow.done, ==, 0);

  g_subprocess_send_signal (hub->process, SIGTERM);

  /* it stops accepting new connections at once, while those requests go on */
  {
    g_autoptr(GSocketClient) client = g_socket_client_new ();
    g_autoptr(GSocketConnection) connection = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GUri) uri = g_uri_parse (hub->url, G_URI_FLAGS_NONE, NULL);

    deadline = g_get_monotonic_time () + 300 * 1000;
    while (g_get_monotonic_time () < deadline)
      g_main_context_iteration (context, FALSE), g_usleep (1000);
    connection = g_socket_client_connect_to_host (client, g_uri_get_host (uri),
                                                  g_uri_get_port (uri), NULL, &error);
    g_assert_null (connection);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
    g_assert_cmpuint (slow.done, ==, 0);
  }

  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (slow.done < 20 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, FALSE), g_usleep (1000);
  g_main_context_pop_thread_default (context);

  g_assert_cmpuint (slow.done, ==, 20);
  g_assert_cmpuint (slow.ok, ==, 20);
  /* exits 0 (asserted by stop; a second SIGTERM on the way out changes nothing) */
  hub_test_hub_stop (hub);
}

/* A statement that waits for the database when the shutdown's timeout passes is still
 * written, and the hub still exits cleanly: the writer answers on its own thread, and the
 * server must outlive that answer. The test holds the database's write lock (SQLite) or a
 * lock on the statements table (PostgreSQL) to keep the writer waiting past the timeout. */
typedef struct
{
  const char *url;
  const char *auth;
  const char *body;
} LatePost;

static gpointer
late_post_thread (gpointer data)
{
  LatePost *post = data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  g_autoptr(GBytes) response = NULL;
  /* the connection closes before the answer: what counts is the statement, and the hub */
  g_autoptr(SoupMessage) msg = hub_test_post_json (session, post->url, post->auth, post->body, -1,
                                                   NULL, &response);

  return NULL;
}

static void
test_sigterm_writer_waiting (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, "--shutdown-timeout", "1", NULL);
  g_autofree char *target = g_strdup (hub->target);
  g_autofree char *url = g_strconcat (hub->url, "/xapi/statements", NULL);
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *body = g_strdup_printf ("{\"id\":\"%s\",\"actor\":{\"mbox\":\"mailto:late@example.com\"},"
                                           "\"verb\":{\"id\":\"http://example.com/verbs/late\"},"
                                           "\"object\":{\"id\":\"http://example.com/act/late\"}}", id);
  g_autoptr(GError) error = NULL;
  g_autoptr(HubDb) db = hub_db_open (target, &error);
  LatePost post = { url, hub->admin, body };
  HubDbStmt *stmt;
  GThread *thread;

  g_assert_no_error (error);
  g_assert_true (hub_db_begin (db, &error));
  g_assert_no_error (error);
  if (hub_db_engine (db) == HUB_DB_POSTGRESQL)
    {
      g_assert_true (hub_db_exec (db, "LOCK TABLE statements IN EXCLUSIVE MODE", &error));
      g_assert_no_error (error);
    }

  thread = g_thread_new ("late-post", late_post_thread, &post);
  g_usleep (500 * 1000);  /* the statement reaches the writer, which waits for the lock */
  g_subprocess_send_signal (hub->process, SIGTERM);
  g_usleep (2 * G_USEC_PER_SEC);  /* past the shutdown's timeout */
  hub_db_rollback (db);

  /* exits 0 (asserted by stop), with no critical on the way (the tests run with
   * G_DEBUG=fatal-criticals, which the hub inherits) */
  hub_test_hub_stop (hub);
  g_thread_join (thread);

  stmt = hub_db_prepare (db, "SELECT count(*) FROM statements WHERE id = $1", &error);
  g_assert_no_error (error);
  hub_db_bind_text (stmt, 1, id);
  g_assert_true (hub_db_step (stmt, &error));
  g_assert_cmpint (hub_db_column_int64 (stmt, 0), ==, 1);
  hub_db_reset (stmt);
}

/* The hub's open client connections: sockets in /proc/net/tcp whose local port is the
 * hub's and whose state is ESTABLISHED (01) or CLOSE-WAIT (08). (Counting the process's
 * descriptors would also count its database connections, which come and go.) */
static guint
count_connections (guint port)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *local = g_strdup_printf (":%04X", port);
  guint count = 0;

  g_assert_true (g_file_get_contents ("/proc/net/tcp", &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      GPtrArray *columns = g_ptr_array_new ();

      for (guint j = 0; fields[j] != NULL; j++)
        if (fields[j][0] != '\0')
          g_ptr_array_add (columns, fields[j]);
      /* sl local_address rem_address st … */
      if (columns->len > 3 && g_str_has_suffix (columns->pdata[1], local) &&
          (g_str_equal (columns->pdata[3], "01") || g_str_equal (columns->pdata[3], "08")))
        count++;
      g_ptr_array_unref (columns);
    }
  return count;
}

/* Keep-alive connections that clients close between requests are released (libsoup 3.2
 * alone leaves them in CLOSE-WAIT for the life of the process). */
static void
test_closed_connections (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autoptr(GUri) uri = g_uri_parse (hub->url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *request = g_strdup_printf ("GET /health HTTP/1.1\r\nHost: %s:%d\r\n\r\n",
                                              g_uri_get_host (uri), g_uri_get_port (uri));
  guint before, during, after = 0;
  gint64 deadline;

  before = count_connections (g_uri_get_port (uri));
  {
    GSocketConnection *connections[20];

    for (guint i = 0; i < G_N_ELEMENTS (connections); i++)
      {
        g_autoptr(GSocketClient) client = g_socket_client_new ();
        g_autoptr(GError) error = NULL;
        char reply[512];
        gssize n;

        connections[i] = g_socket_client_connect_to_host (client, g_uri_get_host (uri),
                                                          g_uri_get_port (uri), NULL, &error);
        g_assert_no_error (error);
        g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connections[i])),
                                   request, strlen (request), NULL, NULL, &error);
        g_assert_no_error (error);
        n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connections[i])),
                                 reply, sizeof reply - 1, NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpint (n, >, 0);
        reply[n] = '\0';
        g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 200"));
      }
    during = count_connections (g_uri_get_port (uri));
    g_assert_cmpuint (during, >=, before + G_N_ELEMENTS (connections));
    for (guint i = 0; i < G_N_ELEMENTS (connections); i++)
      {
        g_io_stream_close (G_IO_STREAM (connections[i]), NULL, NULL);
        g_object_unref (connections[i]);
      }
  }

  /* the reaper looks every 5 s */
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline && (after = count_connections (g_uri_get_port (uri))) > before)
    g_usleep (100 * 1000);
  g_assert_cmpuint (after, <=, before);

  /* and the hub still serves */
  {
    g_autoptr(HubTestResponse) response = hub_test_request (hub, "GET", "/health", NULL, NULL,
                                                            NULL, 0, NULL, NULL);

    hub_test_assert_status (response, 200);
  }
  hub_test_hub_stop (hub);
}

static void
test_tls (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autoptr(GSubprocess) openssl = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HubTestResponse) response = NULL;
  HubTestHub *hub;

  openssl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                              "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                              NULL);
  if (openssl == NULL)
    {
      g_test_skip ("openssl is not available");
      remove_tmp_dir (dir);
      return;
    }
  g_assert_true (g_subprocess_wait_check (openssl, NULL, &error));
  g_assert_no_error (error);

  hub = hub_test_hub_start (NULL, "--tls-cert", cert, "--tls-key", key, NULL);
  g_assert_true (g_str_has_prefix (hub->url, "https://127.0.0.1:"));
  response = hub_test_request (hub, "GET", "/api/v1/learners", hub->admin, NULL, NULL, 0, NULL, NULL);
  hub_test_assert_status (response, 200);
  hub_test_hub_stop (hub);

  /* a missing key file is one clear error */
  {
    g_autofree char *err = NULL;
    g_autofree char *missing = g_build_filename (dir, "missing.pem", NULL);
    g_autofree char *target = hub_test_new_target ();
    int status = hub_test_hub_command (target, NULL, &err, "serve", "--listen", "127.0.0.1:0",
                                       "--tls-cert", cert, "--tls-key", missing, NULL);

    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "TLS"));
  }
  remove_tmp_dir (dir);
}

static char *
enrol_xapi (HubTestHub *hub,
            gboolean    forwarded)
{
  g_autofree char *code = NULL;
  g_autofree char *body = NULL;
  g_autoptr(HubTestResponse) response = NULL;

  g_assert_cmpint (hub_test_hub_command (hub->target, &code, NULL, "enrol-code", "--org", "A",
                                         NULL), ==, 0);
  body = g_strdup_printf ("{\"code\": \"%s\"}", g_strstrip (code));
  if (forwarded)
    response = hub_test_request (hub, "POST", "/api/v1/devices", NULL, NULL, body, -1,
                                 "X-Forwarded-For", "198.51.100.1, 203.0.113.9",
                                 "X-Forwarded-Proto", "https",
                                 "X-Forwarded-Host", "hub.example.org", NULL);
  else
    response = hub_test_request (hub, "POST", "/api/v1/devices", NULL, NULL, body, -1, NULL, NULL);
  hub_test_assert_status (response, 201);
  return g_strdup (json_object_get_string (json_object_object_get (response->json, "xapi")));
}

static void
test_proxy (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *log = g_build_filename (dir, "access.log", NULL);
  g_autofree char *text = NULL;
  g_autofree char *direct_url = NULL;
  g_autofree char *xapi = NULL;
  g_autofree char *ignored = NULL;
  g_autofree char *published = NULL;
  HubTestHub *proxied, *direct, *public;

  proxied = hub_test_hub_start (NULL, "--trust-proxy", "--access-log", log, NULL);
  xapi = enrol_xapi (proxied, TRUE);
  g_assert_cmpstr (xapi, ==, "https://hub.example.org/xapi/");
  hub_test_hub_stop (proxied);
  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, " 203.0.113.9 - POST /api/v1/devices 201 "));

  /* without --trust-proxy the headers change nothing */
  direct = hub_test_hub_start (NULL, NULL, NULL);
  direct_url = g_strconcat (direct->url, "/xapi/", NULL);
  ignored = enrol_xapi (direct, TRUE);
  g_assert_cmpstr (ignored, ==, direct_url);
  hub_test_hub_stop (direct);

  public = hub_test_hub_start (NULL, "--public-url", "https://pub.example.org/", NULL);
  published = enrol_xapi (public, FALSE);
  g_assert_cmpstr (published, ==, "https://pub.example.org/xapi/");
  hub_test_hub_stop (public);

  remove_tmp_dir (dir);
}

static void
test_usage (void)
{
  g_autofree char *target = hub_test_new_target ();
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;

  g_assert_cmpint (hub_test_hub_command (target, NULL, &err, "serve", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--listen"));
  g_assert_cmpint (hub_test_hub_command (target, NULL, &err2, "frobnicate", NULL), ==, 2);
  g_assert_cmpint (hub_test_hub_command (target, NULL, NULL, "migrate", NULL), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hub/server/health", test_health);
  g_test_add_func ("/hub/server/ipv6", test_ipv6);
  g_test_add_func ("/hub/server/routing", test_routing);
  g_test_add_func ("/hub/server/xapi-version", test_xapi_version);
  g_test_add_func ("/hub/server/alternate-syntax", test_alternate_syntax);
  g_test_add_func ("/hub/server/auth", test_auth);
  g_test_add_func ("/hub/server/max-body", test_max_body);
  g_test_add_func ("/hub/server/gzip", test_gzip);
  g_test_add_func ("/hub/server/rate-limit", test_rate_limit);
  g_test_add_func ("/hub/server/access-log", test_access_log);
  g_test_add_func ("/hub/server/closed-connections", test_closed_connections);
  g_test_add_func ("/hub/server/sigterm", test_sigterm);
  g_test_add_func ("/hub/server/sigterm-writer-waiting", test_sigterm_writer_waiting);
  g_test_add_func ("/hub/server/tls", test_tls);
  g_test_add_func ("/hub/server/proxy", test_proxy);
  g_test_add_func ("/hub/server/usage", test_usage);

  return g_test_run ();
}
