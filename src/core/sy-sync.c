/* sy-sync.c — the sync engine (see sy-sync.h for what a run does)
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * HTTP is libcurl's easy interface, one handle per run (keep-alive across requests), on
 * the calling thread. TLS is verified (the system's CAs, or SHUYUAN_CA_FILE for a test
 * hub's own certificate); the proxy comes from GIO's proxy resolver (GNOME's settings or
 * the environment). Connections that stall are dropped after SHUYUAN_SYNC_STALL_SECONDS
 * (default 60) without a byte, however slow the link otherwise is: a 2G link is slow but
 * moves.
 *
 * Retries: a request that fails for a reason that may pass (no connection, a reset, a
 * timeout, 408, 429, 5xx) is tried again after 1, 2, 4… seconds (× a random 0.5–1.5,
 * at most 60 s or what Retry-After asks), up to 6 tries (3 when nobody answers at all:
 * the app's scheduler tries again later), unless SY_SYNC_NO_RETRY.
 * SHUYUAN_SYNC_BACKOFF_MS changes the first delay (tests use a few milliseconds).
 * More knobs for tests, benchmarks and odd networks: SHUYUAN_SYNC_BATCH (statements per
 * push, at most 500), SHUYUAN_SYNC_NO_REUSE=1 (a new connection for every request, for
 * proxies that break kept-alive connections — and for the fault tests, which decide
 * faults per connection) and SHUYUAN_SYNC_GZIP=0 (no compression either way, to measure
 * what it saves).
 * Every request the engine repeats is idempotent: a batch of statements with their ids,
 * a learner's registration, a GET.
 */
#define G_LOG_DOMAIN "ShuyuanSync"

#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "sy-i18n.h"
#include "sy-store-private.h"
#include "sy-sync-private.h"
#include "sy-util.h"
#include "sy-json-private.h"

#define ACCOUNT_FILE "sync-account.ini"
#define LOCK_FILE "sync.lock"
#define DOWNLOAD_DIR "downloads"
#define PUSH_BATCH 500
#define PULL_PAGE 500
#define MAX_TRIES 6
#define MAX_CONNECT_TRIES 3
#define XAPI_VERSION_HEADER "X-Experience-API-Version: 1.0.3"
#define GZIP_EXTENSION "https://shuyuan.invalid/xapi/gzip-requests"

G_DEFINE_QUARK (sy-sync-error-quark, sy_sync_error)

/* g_set_str() is GLib 2.76 */
static void
set_str (char       **target,
         const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*target);
  *target = copy;
}

/* ---- the account ---- */

typedef struct
{
  SySyncAccount  public;
  char          *secret;
  char          *xapi;     /* the xAPI endpoint, no trailing / */
} Account;

void
sy_sync_account_free (SySyncAccount *account)
{
  Account *a = (Account *) account;

  if (a == NULL)
    return;
  g_free (a->public.url);
  g_free (a->public.user);
  g_free (a->public.organisation);
  if (a->secret)
    memset (a->secret, 0, strlen (a->secret));
  g_free (a->secret);
  g_free (a->xapi);
  g_free (a);
}

static char *
account_path (SyStore *store)
{
  return g_build_filename (sy_store_get_data_dir (store), ACCOUNT_FILE, NULL);
}

static Account *
load_account (SyStore  *store,
              GError  **error)
{
  g_autofree char *path = account_path (store);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local = NULL;
  g_autofree char *kind = NULL;
  Account *a;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;
      g_set_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_NOT_ENROLLED,
                   _("The hub settings of this PC cannot be read (%s): %s"), path, local->message);
      return NULL;
    }
  a = g_new0 (Account, 1);
  kind = g_key_file_get_string (file, "account", "kind", NULL);
  a->public.kind = g_strcmp0 (kind, "lrs") == 0 ? SY_SYNC_KIND_LRS : SY_SYNC_KIND_HUB;
  a->public.url = g_key_file_get_string (file, "account", "url", NULL);
  a->public.user = g_key_file_get_string (file, "account", "user", NULL);
  a->public.organisation = g_key_file_get_string (file, "account", "organisation", NULL);
  a->secret = g_key_file_get_string (file, "account", "secret", NULL);
  a->xapi = g_key_file_get_string (file, "account", "xapi", NULL);
  if (a->public.url == NULL || a->public.user == NULL || a->secret == NULL || a->xapi == NULL)
    {
      sy_sync_account_free (&a->public);
      g_set_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_NOT_ENROLLED,
                   _("The hub settings of this PC are incomplete (%s). Enrol this PC again."), path);
      return NULL;
    }
  return a;
}

/* Written whole or not at all, readable by this user only (it holds the secret). */
static gboolean
save_account (SyStore        *store,
              const Account  *a,
              GError        **error)
{
  g_autofree char *path = account_path (store);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *text = NULL;
  gsize length;

  g_key_file_set_comment (file, NULL, NULL,
                          " What this PC syncs with. Written by Shuyuan; keep it private.", NULL);
  g_key_file_set_string (file, "account", "kind", a->public.kind == SY_SYNC_KIND_LRS ? "lrs" : "hub");
  g_key_file_set_string (file, "account", "url", a->public.url);
  g_key_file_set_string (file, "account", "xapi", a->xapi);
  g_key_file_set_string (file, "account", "user", a->public.user);
  g_key_file_set_string (file, "account", "secret", a->secret);
  if (a->public.organisation)
    g_key_file_set_string (file, "account", "organisation", a->public.organisation);
  text = g_key_file_to_data (file, &length, NULL);
  return g_file_set_contents_full (path, text, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

SySyncAccount *
sy_sync_get_account (SyStore  *store,
                     GError  **error)
{
  g_return_val_if_fail (SY_IS_STORE (store), NULL);
  return (SySyncAccount *) load_account (store, error);
}

gboolean
sy_sync_forget (SyStore  *store,
                GError  **error)
{
  g_autofree char *path = account_path (store);

  g_return_val_if_fail (SY_IS_STORE (store), FALSE);
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not remove %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return _sy_store_set_setting (store, SY_SYNC_CHECKPOINT, NULL, error);
}

/* "hub.example.cn/" → "https://hub.example.cn"; NULL with an error if it is no address. */
static char *
normalize_url (const char  *text,
               GError     **error)
{
  g_autofree char *url = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_autoptr(GUri) uri = NULL;

  if (url[0] != '\0' && strstr (url, "://") == NULL)
    {
      char *with_scheme = g_strconcat ("https://", url, NULL);
      g_free (url);
      url = with_scheme;
    }
  while (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_ADDRESS,
                   _("“%s” is not a hub address. It looks like https://hub.example.org"), text);
      return NULL;
    }
  return g_steal_pointer (&url);
}

/* ---- HTTP ---- */

typedef struct
{
  CURL          *curl;
  GCancellable  *cancellable;
  char           errbuf[CURL_ERROR_SIZE];
  CURLcode       last_code;     /* of the last exchange */
  guint64        bytes_sent;
  guint64        bytes_received;

  /* the response being read */
  guint          status;
  GByteArray    *body;
  int            sink_fd;       /* downloads: the body goes here (when status is 200/206) */
  GError        *sink_error;
  guint64        sunk;
  char          *consistent_through;
  char          *etag;
  char          *retry_after;
  char          *content_range;

  /* download progress */
  SySyncProgressFunc progress;
  gpointer       progress_data;
  SySyncProgress report;
  guint64        report_base;
  gint64         last_report;
} Http;

static void
http_reset_response (Http *http)
{
  http->status = 0;
  g_clear_pointer (&http->body, g_byte_array_unref);
  http->body = g_byte_array_new ();
  g_clear_pointer (&http->consistent_through, g_free);
  g_clear_pointer (&http->etag, g_free);
  g_clear_pointer (&http->retry_after, g_free);
  g_clear_pointer (&http->content_range, g_free);
  g_clear_error (&http->sink_error);
  http->sunk = 0;
}

static void
http_free (Http *http)
{
  if (http == NULL)
    return;
  if (http->curl)
    curl_easy_cleanup (http->curl);
  g_clear_pointer (&http->body, g_byte_array_unref);
  g_free (http->consistent_through);
  g_free (http->etag);
  g_free (http->retry_after);
  g_free (http->content_range);
  g_clear_error (&http->sink_error);
  g_clear_object (&http->cancellable);
  g_free (http);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Http, http_free)

static size_t
on_header (char   *buffer,
           size_t  size,
           size_t  n,
           void   *data)
{
  Http *http = data;
  size_t len = size * n;
  g_autofree char *line = g_strndup (buffer, len);
  char *colon;

  g_strchomp (line);
  if (g_str_has_prefix (line, "HTTP/"))
    {
      /* a new response (after a 100 Continue or a redirect): forget the last one's */
      g_clear_pointer (&http->consistent_through, g_free);
      g_clear_pointer (&http->etag, g_free);
      g_clear_pointer (&http->retry_after, g_free);
      g_clear_pointer (&http->content_range, g_free);
      return len;
    }
  if ((colon = strchr (line, ':')) == NULL)
    return len;
  *colon = '\0';
  colon = g_strstrip (colon + 1);
  if (g_ascii_strcasecmp (line, "X-Experience-API-Consistent-Through") == 0)
    set_str (&http->consistent_through, colon);
  else if (g_ascii_strcasecmp (line, "ETag") == 0)
    set_str (&http->etag, colon);
  else if (g_ascii_strcasecmp (line, "Retry-After") == 0)
    set_str (&http->retry_after, colon);
  else if (g_ascii_strcasecmp (line, "Content-Range") == 0)
    set_str (&http->content_range, colon);
  return len;
}

static size_t
on_body (char   *buffer,
         size_t  size,
         size_t  n,
         void   *data)
{
  Http *http = data;
  size_t len = size * n;
  long status = 0;

  curl_easy_getinfo (http->curl, CURLINFO_RESPONSE_CODE, &status);
  if (http->sink_fd >= 0 && (status == 200 || status == 206))
    {
      size_t written = 0;

      while (written < len)
        {
          ssize_t w = write (http->sink_fd, buffer + written, len - written);
          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            {
              int saved = errno;
              g_set_error (&http->sink_error, G_IO_ERROR, g_io_error_from_errno (saved),
                           _("Could not save the download: %s"), g_strerror (saved));
              return 0;
            }
          written += w;
        }
      http->sunk += len;
      if (http->progress)
        {
          gint64 now = g_get_monotonic_time ();

          if (now - http->last_report > G_USEC_PER_SEC / 10)
            {
              http->last_report = now;
              http->report.done = http->report_base + http->sunk;
              http->progress (&http->report, http->progress_data);
            }
        }
      return len;
    }
  /* an error page, or a plain response: keep it (bounded) */
  if (http->body->len + len > 64 * 1024 * 1024)
    return 0;
  g_byte_array_append (http->body, (const guint8 *) buffer, len);
  return len;
}

static int
on_xfer (void       *data,
         curl_off_t  dltotal,
         curl_off_t  dlnow,
         curl_off_t  ultotal,
         curl_off_t  ulnow)
{
  Http *http = data;

  return g_cancellable_is_cancelled (http->cancellable) ? 1 : 0;
}

static gpointer
init_curl (gpointer data)
{
  curl_global_init (CURL_GLOBAL_DEFAULT);
  return NULL;
}

static Http *
http_new (const Account *account,
          GCancellable  *cancellable)
{
  static GOnce once = G_ONCE_INIT;
  Http *http = g_new0 (Http, 1);
  const char *ca = g_getenv ("SHUYUAN_CA_FILE");
  const char *stall = g_getenv ("SHUYUAN_SYNC_STALL_SECONDS");
  long stall_seconds = stall ? MAX (1, atol (stall)) : 60;

  g_once (&once, init_curl, NULL);
  http->curl = curl_easy_init ();
  http->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  http->sink_fd = -1;
  http->body = g_byte_array_new ();

  curl_easy_setopt (http->curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (http->curl, CURLOPT_ERRORBUFFER, http->errbuf);
  curl_easy_setopt (http->curl, CURLOPT_USERAGENT, "Shuyuan/" PACKAGE_VERSION);
  curl_easy_setopt (http->curl, CURLOPT_CONNECTTIMEOUT, 20L);
  curl_easy_setopt (http->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (http->curl, CURLOPT_LOW_SPEED_TIME, stall_seconds);
  curl_easy_setopt (http->curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt (http->curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (http->curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt (http->curl, CURLOPT_PROTOCOLS_STR, "http,https");
  if (ca != NULL && *ca != '\0')
    curl_easy_setopt (http->curl, CURLOPT_CAINFO, ca);
  if (g_strcmp0 (g_getenv ("SHUYUAN_SYNC_NO_REUSE"), "1") == 0)
    curl_easy_setopt (http->curl, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt (http->curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (http->curl, CURLOPT_HEADERDATA, http);
  curl_easy_setopt (http->curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (http->curl, CURLOPT_WRITEDATA, http);
  curl_easy_setopt (http->curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (http->curl, CURLOPT_XFERINFOFUNCTION, on_xfer);
  curl_easy_setopt (http->curl, CURLOPT_XFERINFODATA, http);
  if (account != NULL)
    {
      curl_easy_setopt (http->curl, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
      curl_easy_setopt (http->curl, CURLOPT_USERNAME, account->public.user);
      curl_easy_setopt (http->curl, CURLOPT_PASSWORD, account->secret);
    }
  return http;
}

/* The proxy GIO would use for @url (GNOME's proxy settings, or the environment's), or
 * none: libcurl then follows the environment itself. */
static void
http_set_proxy (Http       *http,
                const char *url)
{
  GProxyResolver *resolver = g_proxy_resolver_get_default ();
  g_auto(GStrv) proxies = NULL;

  if (resolver == NULL)
    return;
  proxies = g_proxy_resolver_lookup (resolver, url, NULL, NULL);
  if (proxies != NULL && proxies[0] != NULL && !g_str_equal (proxies[0], "direct://"))
    curl_easy_setopt (http->curl, CURLOPT_PROXY, proxies[0]);
}

static void
set_transport_error (Http      *http,
                     CURLcode   code,
                     GError   **error)
{
  const char *detail = http->errbuf[0] ? http->errbuf : curl_easy_strerror (code);

  if (g_cancellable_set_error_if_cancelled (http->cancellable, error))
    return;
  if (http->sink_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&http->sink_error));
      return;
    }
  switch (code)
    {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      g_set_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_TLS,
                   _("The hub’s security certificate cannot be trusted, so nothing was sent. "
                     "Check the hub address, or ask whoever runs the hub: %s"), detail);
      return;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      g_set_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_ADDRESS,
                   _("The hub address cannot be used: %s"), detail);
      return;
    default:
      g_set_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_NETWORK,
                   _("The hub cannot be reached. Your records are safe on this PC and will be "
                     "sent when the connection works: %s"), detail);
      return;
    }
}

static gboolean
gzip_allowed (void)
{
  return g_strcmp0 (g_getenv ("SHUYUAN_SYNC_GZIP"), "0") != 0;
}

/* One exchange. FALSE when no HTTP answer came (the error says why); otherwise the
 * status, headers and body are in @http. */
static gboolean
http_perform (Http                *http,
              const char          *method,
              const char          *url,
              const char * const  *headers,
              const void          *body,
              gsize                body_len,
              GError             **error)
{
  struct curl_slist *list = NULL;
  curl_off_t up = 0, down = 0;
  long status = 0, request_size = 0, header_size = 0;
  CURLcode code;

  if (g_cancellable_set_error_if_cancelled (http->cancellable, error))
    return FALSE;
  http_reset_response (http);
  http->errbuf[0] = '\0';

  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    list = curl_slist_append (list, headers[i]);
  list = curl_slist_append (list, "Expect:");

  curl_easy_setopt (http->curl, CURLOPT_URL, url);
  http_set_proxy (http, url);
  curl_easy_setopt (http->curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt (http->curl, CURLOPT_NOBODY, g_str_equal (method, "HEAD") ? 1L : 0L);
  if (body != NULL)
    {
      curl_easy_setopt (http->curl, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt (http->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) body_len);
      curl_easy_setopt (http->curl, CURLOPT_CUSTOMREQUEST, method);
    }
  else
    {
      curl_easy_setopt (http->curl, CURLOPT_HTTPGET, 1L);
      curl_easy_setopt (http->curl, CURLOPT_CUSTOMREQUEST,
                        g_str_equal (method, "GET") ? NULL : method);
    }
  /* packages are compressed already; everything else may come gzip-coded */
  curl_easy_setopt (http->curl, CURLOPT_ACCEPT_ENCODING,
                    http->sink_fd >= 0 || !gzip_allowed () ? NULL : "");

  code = curl_easy_perform (http->curl);
  http->last_code = code;
  curl_slist_free_all (list);
  curl_easy_setopt (http->curl, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt (http->curl, CURLOPT_POSTFIELDS, NULL);

  curl_easy_getinfo (http->curl, CURLINFO_REQUEST_SIZE, &request_size);
  curl_easy_getinfo (http->curl, CURLINFO_SIZE_UPLOAD_T, &up);
  curl_easy_getinfo (http->curl, CURLINFO_HEADER_SIZE, &header_size);
  curl_easy_getinfo (http->curl, CURLINFO_SIZE_DOWNLOAD_T, &down);
  http->bytes_sent += request_size + (up > 0 ? up : 0);
  http->bytes_received += header_size + (down > 0 ? down : 0);

  if (code != CURLE_OK)
    {
      set_transport_error (http, code, error);
      return FALSE;
    }
  curl_easy_getinfo (http->curl, CURLINFO_RESPONSE_CODE, &status);
  http->status = status;
  return TRUE;
}

static gboolean
retryable_status (guint status)
{
  return status == 408 || status == 429 || status >= 500;
}

static gboolean
sleep_cancellable (GCancellable *cancellable,
                   gint64        usec)
{
  gint64 end = g_get_monotonic_time () + usec;

  while (g_get_monotonic_time () < end)
    {
      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      g_usleep (MIN (50000, MAX (0, end - g_get_monotonic_time ())));
    }
  return !g_cancellable_is_cancelled (cancellable);
}

static gint64
backoff_base_usec (void)
{
  const char *env = g_getenv ("SHUYUAN_SYNC_BACKOFF_MS");

  return (env != NULL ? MAX (1, g_ascii_strtoll (env, NULL, 10)) : 1000) * 1000;
}

/* http_perform() with retries (see the top of this file). TRUE with any status once an
 * answer is final; FALSE when the tries are spent without an answer. */
static gboolean
http_exchange (Http                *http,
               gboolean             retry,
               const char          *method,
               const char          *url,
               const char * const  *headers,
               const void          *body,
               gsize                body_len,
               GError             **error)
{
  gint64 base = backoff_base_usec ();

  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(GError) local = NULL;
      gint64 delay;
      gboolean answered = http_perform (http, method, url, headers, body, body_len, &local);

      if (answered && !retryable_status (http->status))
        return TRUE;
      if (!answered && (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                        g_error_matches (local, SY_SYNC_ERROR, SY_SYNC_ERROR_TLS) ||
                        g_error_matches (local, SY_SYNC_ERROR, SY_SYNC_ERROR_ADDRESS) ||
                        local->domain == G_IO_ERROR))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      /* nobody there (refused, no route, no such name): the scheduler will try later; a
       * couple of quick tries cover a hub that is restarting */
      if (!answered && attempt + 1 >= MAX_CONNECT_TRIES &&
          (http->last_code == CURLE_COULDNT_CONNECT || http->last_code == CURLE_COULDNT_RESOLVE_HOST ||
           http->last_code == CURLE_COULDNT_RESOLVE_PROXY))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (!retry || attempt + 1 >= MAX_TRIES)
        {
          if (answered)
            return TRUE;
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }

      delay = MIN (base << attempt, 60 * G_USEC_PER_SEC);
      delay = (gint64) (delay * g_random_double_range (0.5, 1.5));
      if (answered && http->retry_after != NULL)
        {
          gint64 asked = g_ascii_strtoll (http->retry_after, NULL, 10);
          if (asked > 0)
            delay = MAX (delay, MIN (asked, 300) * G_USEC_PER_SEC);
        }
      g_debug ("%s %s: %s; trying again in %.1f s", method, url,
               answered ? "server error" : local->message, delay / 1e6);
      if (!sleep_cancellable (http->cancellable, delay))
        {
          g_cancellable_set_error_if_cancelled (http->cancellable, error);
          return FALSE;
        }
    }
}

/* The body as a NUL-terminated string (it stays owned by @http). */
static const char *
http_text (Http *http)
{
  g_byte_array_append (http->body, (const guint8 *) "", 1);
  g_byte_array_set_size (http->body, http->body->len - 1);
  return (const char *) http->body->data;
}

static json_object *
http_json (Http *http)
{
  return json_tokener_parse (http_text (http));
}

/* What the hub says went wrong, for a message: its "message" field, or its body. */
static char *
http_reason (Http *http)
{
  json_object *root = http_json (http);
  json_object *message = NULL;
  char *reason;

  if (root != NULL && json_object_object_get_ex (root, "message", &message) &&
      json_object_is_type (message, json_type_string))
    reason = g_strdup (json_object_get_string (message));
  else
    reason = g_utf8_make_valid (http_text (http), MIN (http->body->len, 300));
  json_object_put (root);
  g_strstrip (reason);
  if (*reason == '\0')
    {
      g_free (reason);
      reason = g_strdup_printf ("HTTP %u", http->status);
    }
  return reason;
}

static void
set_status_error (Http    *http,
                  GError **error)
{
  g_autofree char *reason = http_reason (http);

  if (http->status == 401)
    g_set_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_AUTH,
                 _("The hub no longer accepts this PC. Ask your coordinator for a new "
                   "enrolment code and enrol this PC again (%s)."), reason);
  else if (http->status == 404)
    g_set_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_PROTOCOL,
                 _("There is no Shuyuan hub at this address (%s)."), reason);
  else if (http->status >= 500)
    g_set_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_SERVER,
                 _("The hub has a problem and could not take the records now; they are safe "
                   "on this PC and will be sent later (HTTP %u: %s)."), http->status, reason);
  else
    g_set_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_SERVER,
                 _("The hub refused the request (HTTP %u: %s)."), http->status, reason);
}

/* ---- one run ---- */

typedef struct
{
  SyStore            *store;
  Account            *account;
  Http               *http;
  SySyncFlags         flags;
  SySyncProgressFunc  progress;
  gpointer            progress_data;
  SySyncSummary      *summary;
  gboolean            gzip;
  int                 lock_fd;
} Run;

static void
report (Run         *run,
        SySyncPhase  phase,
        guint64      done,
        guint64      total,
        const char  *item)
{
  SySyncProgress p = { phase, done, total, item };

  if (run->progress)
    run->progress (&p, run->progress_data);
}

/* One sync at a time per data folder, across processes (the app and the CLI). */
static int
take_lock (SyStore  *store,
           GError  **error)
{
  g_autofree char *path = g_build_filename (sy_store_get_data_dir (store), LOCK_FILE, NULL);
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not open %s: %s"), path, g_strerror (saved));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      g_set_error_literal (error, SY_SYNC_ERROR, SY_SYNC_ERROR_BUSY,
                           _("Another sync is already running on this PC. Wait for it to finish."));
      return -1;
    }
  return fd;
}

static void
run_clear (Run *run)
{
  http_free (run->http);
  if (run->account)
    sy_sync_account_free (&run->account->public);
  if (run->lock_fd >= 0)
    close (run->lock_fd);
}

static gboolean
run_start (Run            *run,
           SyStore        *store,
           GCancellable   *cancellable,
           GError        **error)
{
  g_autoptr(GError) local = NULL;

  run->lock_fd = -1;
  run->store = store;
  if (!(run->account = load_account (store, &local)))
    {
      if (local != NULL)
        g_propagate_error (error, g_steal_pointer (&local));
      else
        g_set_error_literal (error, SY_SYNC_ERROR, SY_SYNC_ERROR_NOT_ENROLLED,
                             _("This PC is not connected to a hub yet. Enrol it with the code "
                               "from your coordinator (Preferences, or shuyuan-cli enrol)."));
      return FALSE;
    }
  if ((run->lock_fd = take_lock (store, error)) < 0)
    return FALSE;
  run->http = http_new (run->account, cancellable);
  return TRUE;
}

static char *
endpoint (const char *base,
          const char *path)
{
  return g_strconcat (base, path, NULL);
}

static gboolean
register_learners (Run     *run,
                   GError **error)
{
  g_autoptr(GPtrArray) learners = _sy_store_unregistered_learners (run->store, error);
  const char *headers[] = { "Content-Type: application/json", NULL };

  if (learners == NULL)
    return FALSE;
  for (guint i = 0; i < learners->len; i++)
    {
      json_object *learner = g_ptr_array_index (learners, i);
      const char *uuid = json_object_get_string (json_object_object_get (learner, "uuid"));
      g_autofree char *path = g_strconcat ("/api/v1/learners/", uuid, NULL);
      g_autofree char *url = endpoint (run->account->public.url, path);
      json_object *body = json_object_new_object ();
      const char *text;
      gboolean ok;

      report (run, SY_SYNC_PHASE_REGISTER, i, learners->len, NULL);
      json_object_object_foreach (learner, key, value)
        if (!g_str_equal (key, "uuid"))
          json_object_object_add (body, key, json_object_get (value));
      text = json_object_to_json_string_ext (body, JSON_C_TO_STRING_PLAIN);
      ok = http_exchange (run->http, !(run->flags & SY_SYNC_NO_RETRY), "PUT", url, headers,
                          text, strlen (text), error);
      json_object_put (body);
      if (!ok)
        return FALSE;
      if (run->http->status != 200 && run->http->status != 201)
        {
          set_status_error (run->http, error);
          return FALSE;
        }
      if (!_sy_store_learner_registered (run->store, learner, error))
        return FALSE;
      run->summary->learners_registered++;
    }
  report (run, SY_SYNC_PHASE_REGISTER, learners->len, learners->len, NULL);
  return TRUE;
}

/* Sends statements [@from, @from + @n) of @batch. A batch the hub refuses for what is in
 * it (400, 409, 413) is halved until the statement it is about is found and quarantined;
 * the others go through. */
static gboolean
push_range (Run            *run,
            SyOutboxBatch  *batch,
            guint           from,
            guint           n,
            guint64        *sent,
            guint64         total,
            GError        **error)
{
  g_autoptr(GString) body = g_string_new ("[");
  g_autoptr(GBytes) gz = NULL;
  g_autofree char *url = endpoint (run->account->xapi, "/statements");
  const char *headers[4] = { XAPI_VERSION_HEADER, "Content-Type: application/json", NULL, NULL };
  const void *data;
  gsize size;
  guint status;

  for (guint i = from; i < from + n; i++)
    {
      if (i > from)
        g_string_append_c (body, ',');
      g_string_append (body, g_ptr_array_index (batch->json, i));
    }
  g_string_append_c (body, ']');
  data = body->str;
  size = body->len;
  if (run->gzip && (gz = sy_gzip (body->str, body->len, 6)))
    {
      headers[2] = "Content-Encoding: gzip";
      data = g_bytes_get_data (gz, &size);
    }

  if (!http_exchange (run->http, !(run->flags & SY_SYNC_NO_RETRY), "POST", url, headers,
                      data, size, error))
    return FALSE;
  status = run->http->status;

  if (status == 200)
    {
      json_object *ids = http_json (run->http);
      g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func (g_free);
      gboolean ok;

      if (ids == NULL || !json_object_is_type (ids, json_type_array) ||
          json_object_array_length (ids) != n)
        {
          json_object_put (ids);
          g_set_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_PROTOCOL,
                       _("The hub’s answer to %u records cannot be understood; they will be "
                         "sent again."), n);
          return FALSE;
        }
      json_object_put (ids);
      for (guint i = from; i < from + n; i++)
        g_ptr_array_add (done, g_strdup (g_ptr_array_index (batch->ids, i)));
      ok = _sy_store_outbox_done (run->store, done, error);
      if (ok)
        {
          run->summary->pushed += n;
          *sent += n;
          report (run, SY_SYNC_PHASE_PUSH, *sent, total, NULL);
        }
      return ok;
    }

  if (status == 400 || status == 409 || status == 413)
    {
      if (n > 1)
        return push_range (run, batch, from, n / 2, sent, total, error) &&
               push_range (run, batch, from + n / 2, n - n / 2, sent, total, error);
      else
        {
          g_autofree char *reason = http_reason (run->http);

          g_message ("Statement %s quarantined: HTTP %u: %s",
                     (const char *) g_ptr_array_index (batch->ids, from), status, reason);
          if (!_sy_store_outbox_quarantine (run->store, g_ptr_array_index (batch->ids, from),
                                            status, reason, error))
            return FALSE;
          run->summary->quarantined++;
          *sent += 1;
          return TRUE;
        }
    }

  set_status_error (run->http, error);
  return FALSE;
}

static guint
push_batch_size (void)
{
  const char *env = g_getenv ("SHUYUAN_SYNC_BATCH");
  guint64 size = env ? g_ascii_strtoull (env, NULL, 10) : PUSH_BATCH;

  return CLAMP (size, 1, PUSH_BATCH);
}

static gboolean
push (Run     *run,
      GError **error)
{
  g_autoptr(SySyncStatus) status = sy_sync_get_status (run->store, NULL, error);
  guint64 sent = 0, total;
  guint batch_size = push_batch_size ();

  if (status == NULL)
    return FALSE;
  total = status->waiting;
  report (run, SY_SYNC_PHASE_PUSH, 0, total, NULL);
  for (;;)
    {
      g_autoptr(SyOutboxBatch) batch = _sy_store_outbox_take (run->store, batch_size, error);

      if (batch == NULL)
        return FALSE;
      if (batch->ids->len == 0)
        return TRUE;
      if (!push_range (run, batch, 0, batch->ids->len, &sent, MAX (total, sent + batch->ids->len),
                       error))
        return FALSE;
    }
}

/* GET the learner registry of the organisation. */
static gboolean
pull_learners (Run     *run,
               GError **error)
{
  g_autofree char *url = endpoint (run->account->public.url, "/api/v1/learners");
  json_object *root, *list = NULL;
  guint added = 0;
  gboolean ok;

  if (!http_exchange (run->http, !(run->flags & SY_SYNC_NO_RETRY), "GET", url, NULL, NULL, 0, error))
    return FALSE;
  if (run->http->status != 200)
    {
      set_status_error (run->http, error);
      return FALSE;
    }
  root = http_json (run->http);
  if (root == NULL || !json_object_object_get_ex (root, "learners", &list) ||
      !json_object_is_type (list, json_type_array))
    {
      json_object_put (root);
      g_set_error_literal (error, SY_SYNC_ERROR, SY_SYNC_ERROR_PROTOCOL,
                           _("The hub’s list of learners cannot be understood."));
      return FALSE;
    }
  ok = _sy_store_merge_learners (run->store, list, &added, error);
  json_object_put (root);
  run->summary->learners_pulled += added;
  return ok;
}

static gboolean
pull (Run     *run,
      GError **error)
{
  g_autofree char *checkpoint = NULL;
  g_autofree char *next_checkpoint = NULL;
  g_autofree char *newest_stored = NULL;
  g_autofree char *url = NULL;
  const char *headers[] = { XAPI_VERSION_HEADER, NULL };
  g_autoptr(GError) local = NULL;
  guint64 pages = 0, received = 0;

  report (run, SY_SYNC_PHASE_PULL, 0, 0, NULL);
  if (run->account->public.kind == SY_SYNC_KIND_HUB && !pull_learners (run, error))
    return FALSE;

  checkpoint = _sy_store_get_setting (run->store, SY_SYNC_CHECKPOINT, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  {
    g_autofree char *escaped = checkpoint ? g_uri_escape_string (checkpoint, NULL, FALSE) : NULL;
    url = g_strdup_printf ("%s/statements?limit=%d&ascending=true%s%s", run->account->xapi,
                           PULL_PAGE, escaped ? "&since=" : "", escaped ? escaped : "");
  }

  while (url != NULL)
    {
      json_object *root, *statements = NULL, *more = NULL;
      guint added = 0;
      gboolean ok;

      if (!http_exchange (run->http, !(run->flags & SY_SYNC_NO_RETRY), "GET", url, headers,
                          NULL, 0, error))
        return FALSE;
      if (run->http->status != 200)
        {
          set_status_error (run->http, error);
          return FALSE;
        }
      /* the first page's Consistent-Through: everything stored up to it is in the
       * answer or its later pages, so the next pull starts there */
      if (pages == 0)
        next_checkpoint = g_strdup (run->http->consistent_through);
      root = http_json (run->http);
      if (root == NULL || !json_object_object_get_ex (root, "statements", &statements) ||
          !json_object_is_type (statements, json_type_array))
        {
          json_object_put (root);
          g_set_error_literal (error, SY_SYNC_ERROR, SY_SYNC_ERROR_PROTOCOL,
                               _("The hub’s records cannot be understood (not an xAPI statement result)."));
          return FALSE;
        }
      for (size_t i = 0; i < json_object_array_length (statements); i++)
        {
          json_object *stored = NULL;
          if (json_object_object_get_ex (json_object_array_get_idx (statements, i), "stored", &stored) &&
              json_object_is_type (stored, json_type_string) &&
              g_strcmp0 (json_object_get_string (stored), newest_stored) > 0)
            set_str (&newest_stored, json_object_get_string (stored));
        }
      ok = _sy_store_merge_statements (run->store, statements, &added, error);
      received += json_object_array_length (statements);
      run->summary->pulled += added;
      g_clear_pointer (&url, g_free);
      if (ok && json_object_object_get_ex (root, "more", &more) &&
          json_object_is_type (more, json_type_string) && json_object_get_string_len (more) > 0)
        url = g_uri_resolve_relative (run->account->xapi, json_object_get_string (more),
                                      G_URI_FLAGS_NONE, NULL);
      json_object_put (root);
      if (!ok)
        return FALSE;
      pages++;
      report (run, SY_SYNC_PHASE_PULL, received, 0, NULL);
    }

  /* an LRS that does not say (it should) is trusted up to the newest statement seen */
  if (next_checkpoint == NULL)
    next_checkpoint = g_steal_pointer (&newest_stored);
  if (next_checkpoint != NULL &&
      !_sy_store_set_setting (run->store, SY_SYNC_CHECKPOINT, next_checkpoint, error))
    return FALSE;
  return TRUE;
}

/* ---- the catalog and downloads ---- */

void
sy_catalog_entry_free (SyCatalogEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->id);
  g_free (entry->title);
  g_free (entry->programme);
  g_free (entry->sha256);
  g_free (entry->url);
  g_free (entry);
}

static char *
title_for_language (json_object *titles,
                    const char  *fallback)
{
  const char * const *languages = g_get_language_names ();
  json_object *value = NULL;

  if (titles == NULL || !json_object_is_type (titles, json_type_object))
    return g_strdup (fallback);
  for (guint i = 0; languages[i]; i++)
    {
      g_autofree char *tag = g_strdelimit (g_strdup (languages[i]), "_", '-');
      char *dot = strchr (tag, '.');

      if (dot)
        *dot = '\0';
      if (json_object_object_get_ex (titles, tag, &value) ||
          json_object_object_get_ex (titles, languages[i], &value))
        return g_strdup (json_object_get_string (value));
    }
  /* none of the PC's languages: English, else whichever comes first */
  if (json_object_object_get_ex (titles, "en", &value))
    return g_strdup (json_object_get_string (value));
  {
    struct json_object_iterator it = json_object_iter_begin (titles);
    struct json_object_iterator end = json_object_iter_end (titles);

    if (!json_object_iter_equal (&it, &end))
      return g_strdup (json_object_get_string (json_object_iter_peek_value (&it)));
  }
  return g_strdup (fallback);
}

static GPtrArray *
fetch_catalog (Run     *run,
               GError **error)
{
  g_autofree char *url = endpoint (run->account->public.url, "/api/v1/catalog");
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) sy_catalog_entry_free);
  g_autoptr(GPtrArray) installed = NULL;
  g_autoptr(GHashTable) versions = g_hash_table_new (g_str_hash, g_str_equal);
  json_object *root, *courses = NULL;

  if (run->account->public.kind != SY_SYNC_KIND_HUB)
    return g_steal_pointer (&entries);   /* an LRS has no courses */
  report (run, SY_SYNC_PHASE_CATALOG, 0, 0, NULL);
  if (!http_exchange (run->http, !(run->flags & SY_SYNC_NO_RETRY), "GET", url, NULL, NULL, 0, error))
    return NULL;
  if (run->http->status != 200)
    {
      set_status_error (run->http, error);
      return NULL;
    }
  if (!(installed = sy_store_list_courses (run->store, NULL, NULL, error)))
    return NULL;
  for (guint i = 0; i < installed->len; i++)
    {
      SyCourse *course = g_ptr_array_index (installed, i);
      g_hash_table_insert (versions, (gpointer) sy_course_get_id (course),
                           GINT_TO_POINTER ((int) sy_course_get_version (course)));
    }

  root = http_json (run->http);
  if (root == NULL || !json_object_object_get_ex (root, "courses", &courses) ||
      !json_object_is_type (courses, json_type_array))
    {
      json_object_put (root);
      g_set_error_literal (error, SY_SYNC_ERROR, SY_SYNC_ERROR_PROTOCOL,
                           _("The hub’s list of courses cannot be understood."));
      return NULL;
    }
  for (size_t i = 0; i < json_object_array_length (courses); i++)
    {
      json_object *c = json_object_array_get_idx (courses, i);
      json_object *v = NULL;
      SyCatalogEntry *entry;
      const char *id = _sy_json_member_string (c, "id");
      const char *sha = _sy_json_member_string (c, "sha256");
      const char *href = _sy_json_member_string (c, "url");

      if (id == NULL || sha == NULL || href == NULL || !json_object_object_get_ex (c, "version", &v))
        continue;
      entry = g_new0 (SyCatalogEntry, 1);
      entry->id = g_strdup (id);
      entry->version = json_object_get_int (v);
      entry->title = title_for_language (json_object_object_get (c, "titles"), id);
      entry->programme = g_strdup (_sy_json_member_string (c, "programme"));
      entry->size = json_object_get_int64 (json_object_object_get (c, "size"));
      entry->sha256 = g_ascii_strdown (sha, -1);
      entry->url = g_uri_resolve_relative (run->account->public.url, href, G_URI_FLAGS_NONE, NULL);
      entry->installed_version = GPOINTER_TO_INT (g_hash_table_lookup (versions, id));
      if (entry->url == NULL)
        sy_catalog_entry_free (entry);
      else
        g_ptr_array_add (entries, entry);
    }
  json_object_put (root);
  return g_steal_pointer (&entries);
}

static char *
file_sha256 (const char  *path,
             GError     **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = g_malloc (256 * 1024);
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  ssize_t n;

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not read %s: %s"), path, g_strerror (saved));
      return NULL;
    }
  while ((n = read (fd, buffer, 256 * 1024)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_checksum_update (sum, buffer, n);
  close (fd);
  return g_strdup (g_checksum_get_string (sum));
}

/* Brings the package to DIR/ID-VERSION-SHA.zip, resuming DIR/….part; verified. */
static char *
fetch_package (Run                   *run,
               const SyCatalogEntry  *entry,
               GError               **error)
{
  g_autofree char *dir = g_build_filename (sy_store_get_data_dir (run->store), DOWNLOAD_DIR, NULL);
  g_autofree char *name = g_strdup_printf ("%s-%d-%.16s", entry->id, entry->version, entry->sha256);
  g_autofree char *zip_name = g_strconcat (name, ".zip", NULL);
  g_autofree char *part_name = g_strconcat (name, ".part", NULL);
  g_autofree char *zip = g_build_filename (dir, zip_name, NULL);
  g_autofree char *part = g_build_filename (dir, part_name, NULL);
  g_autofree char *if_range = g_strdup_printf ("If-Range: \"%s\"", entry->sha256);
  g_autofree char *sum = NULL;
  Http *http = run->http;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create %s: %s"), dir, g_strerror (saved));
      return NULL;
    }
  /* renamed, then the PC stopped before it was installed */
  if (g_file_test (zip, G_FILE_TEST_EXISTS))
    {
      if ((sum = file_sha256 (zip, NULL)) && g_str_equal (sum, entry->sha256))
        return g_steal_pointer (&zip);
      g_unlink (zip);
    }

  for (guint restart = 0; restart < 2; restart++)
    {
      GStatBuf st;
      guint64 offset = 0;
      g_autofree char *range = NULL;
      const char *headers[3] = { NULL, NULL, NULL };
      gboolean ok;

      if (g_stat (part, &st) == 0)
        offset = st.st_size;
      if (offset > entry->size)
        {
          g_unlink (part);
          offset = 0;
        }
      if (offset < entry->size)
        {
          http->sink_fd = g_open (part, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
          if (http->sink_fd < 0 || lseek (http->sink_fd, offset, SEEK_SET) < 0)
            {
              int saved = errno;
              if (http->sink_fd >= 0)
                close (http->sink_fd);
              http->sink_fd = -1;
              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                           _("Could not write %s: %s"), part, g_strerror (saved));
              return NULL;
            }
          if (offset > 0)
            {
              range = g_strdup_printf ("Range: bytes=%" G_GUINT64_FORMAT "-", offset);
              headers[0] = range;
              headers[1] = if_range;
            }
          http->progress = run->progress;
          http->progress_data = run->progress_data;
          http->report = (SySyncProgress) { SY_SYNC_PHASE_DOWNLOAD, offset, entry->size, entry->title };
          http->report_base = offset;
          report (run, SY_SYNC_PHASE_DOWNLOAD, offset, entry->size, entry->title);

          /* each try resumes where the last one stopped */
          for (guint attempt = 0;; attempt++)
            {
              g_autoptr(GError) local = NULL;

              ok = http_perform (http, "GET", entry->url, headers, NULL, 0, &local);
              if (ok && http->status == 200 && offset > 0)
                {
                  /* the hub sent the whole package (the range did not apply): it has been
                   * written at @offset; start the file again from this answer */
                  g_set_error_literal (&local, SY_SYNC_ERROR, SY_SYNC_ERROR_NETWORK, "restart");
                  ok = FALSE;
                  if (ftruncate (http->sink_fd, 0) != 0 || lseek (http->sink_fd, 0, SEEK_SET) < 0)
                    {
                      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                                   _("Could not write %s: %s"), part, g_strerror (errno));
                      break;
                    }
                  offset = 0;
                  g_clear_pointer (&range, g_free);
                  headers[0] = headers[1] = NULL;
                  continue;
                }
              if (ok && (http->status == 200 || http->status == 206 || http->status == 416))
                break;
              if (ok && !retryable_status (http->status))
                break;
              if (!ok && (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                          g_error_matches (local, SY_SYNC_ERROR, SY_SYNC_ERROR_TLS) ||
                          local->domain == G_IO_ERROR))
                {
                  g_propagate_error (error, g_steal_pointer (&local));
                  break;
                }
              if ((run->flags & SY_SYNC_NO_RETRY) || attempt + 1 >= MAX_TRIES)
                {
                  if (!ok)
                    g_propagate_error (error, g_steal_pointer (&local));
                  break;
                }
              if (!sleep_cancellable (http->cancellable,
                                      MIN (backoff_base_usec () << attempt, 60 * G_USEC_PER_SEC)))
                {
                  ok = FALSE;
                  g_cancellable_set_error_if_cancelled (http->cancellable, error);
                  break;
                }
              /* resume from what arrived */
              offset = lseek (http->sink_fd, 0, SEEK_CUR);
              http->report_base = offset;
              g_clear_pointer (&range, g_free);
              if (offset > 0)
                {
                  range = g_strdup_printf ("Range: bytes=%" G_GUINT64_FORMAT "-", offset);
                  headers[0] = range;
                  headers[1] = if_range;
                }
            }
          http->progress = NULL;
          if (fdatasync (http->sink_fd) != 0 && ok)
            {
              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                           _("Could not write %s: %s"), part, g_strerror (errno));
              ok = FALSE;
            }
          close (http->sink_fd);
          http->sink_fd = -1;
          if (!ok)
            {
              if (error != NULL && *error == NULL)
                set_status_error (http, error);
              return NULL;
            }
          if (http->status != 200 && http->status != 206 && http->status != 416)
            {
              set_status_error (http, error);
              return NULL;
            }
        }

      g_free (sum);
      if (!(sum = file_sha256 (part, error)))
        return NULL;
      if (g_str_equal (sum, entry->sha256))
        {
          if (g_rename (part, zip) != 0)
            {
              int saved = errno;
              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                           _("Could not write %s: %s"), zip, g_strerror (saved));
              return NULL;
            }
          report (run, SY_SYNC_PHASE_DOWNLOAD, entry->size, entry->size, entry->title);
          return g_steal_pointer (&zip);
        }
      /* damaged (a power cut, a proxy that changed it): once more from the start */
      g_message ("%s: sha256 %s, want %s; downloading again", part, sum, entry->sha256);
      g_unlink (part);
    }
  g_set_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_PACKAGE,
               _("The course “%s” arrived damaged twice and was not installed. It will be "
                 "tried again at the next sync."), entry->title);
  return NULL;
}

static gboolean
install_package (Run                   *run,
                 const SyCatalogEntry  *entry,
                 GError               **error)
{
  g_autofree char *zip = fetch_package (run, entry, error);
  g_autoptr(GFile) file = NULL;
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) local = NULL;

  if (zip == NULL)
    return FALSE;
  report (run, SY_SYNC_PHASE_IMPORT, 0, 1, entry->title);
  file = g_file_new_for_path (zip);
  course = sy_store_import (run->store, file, NULL, NULL, &local);
  /* installed or refused, the file has served: a refused package would be refused again */
  g_unlink (zip);
  if (course == NULL)
    {
      g_set_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_PACKAGE,
                   _("The course “%s” from the hub cannot be installed: %s"), entry->title,
                   local->message);
      return FALSE;
    }
  report (run, SY_SYNC_PHASE_IMPORT, 1, 1, entry->title);
  return TRUE;
}

static gboolean
sync_content (Run     *run,
              GError **error)
{
  g_autoptr(GPtrArray) catalog = fetch_catalog (run, error);
  g_autoptr(GError) first = NULL;

  if (catalog == NULL)
    return FALSE;
  for (guint i = 0; i < catalog->len; i++)
    {
      SyCatalogEntry *entry = g_ptr_array_index (catalog, i);
      g_autoptr(GError) local = NULL;

      if (entry->version <= entry->installed_version)
        continue;
      if (install_package (run, entry, &local))
        run->summary->courses_downloaded++;
      else if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
               g_error_matches (local, SY_SYNC_ERROR, SY_SYNC_ERROR_NETWORK))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      else
        {
          /* one bad course does not keep the others away */
          g_warning ("%s", local->message);
          run->summary->courses_failed++;
          if (first == NULL)
            first = g_steal_pointer (&local);
        }
    }
  if (first != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first));
      return FALSE;
    }
  return TRUE;
}

/* Whether the LRS says it takes gzip request bodies (our hub always does). */
static void
probe_gzip (Run *run)
{
  g_autofree char *url = NULL;
  const char *headers[] = { XAPI_VERSION_HEADER, NULL };
  json_object *about, *ext = NULL, *flag = NULL;

  if (!gzip_allowed ())
    return;
  if (run->account->public.kind == SY_SYNC_KIND_HUB)
    {
      run->gzip = TRUE;
      return;
    }
  url = endpoint (run->account->xapi, "/about");
  if (!http_perform (run->http, "GET", url, headers, NULL, 0, NULL) || run->http->status != 200)
    return;
  about = http_json (run->http);
  if (about && json_object_object_get_ex (about, "extensions", &ext) &&
      json_object_object_get_ex (ext, GZIP_EXTENSION, &flag))
    run->gzip = json_object_get_boolean (flag);
  json_object_put (about);
}

static void
record_outcome (SyStore      *store,
                const GError *error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *text = g_date_time_format_iso8601 (now);

  if (error == NULL)
    {
      _sy_store_set_setting (store, SY_SYNC_LAST_SYNCED, text, NULL);
      _sy_store_set_setting (store, SY_SYNC_LAST_ERROR, NULL, NULL);
      _sy_store_set_setting (store, SY_SYNC_LAST_ERROR_CODE, NULL, NULL);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
           !g_error_matches (error, SY_SYNC_ERROR, SY_SYNC_ERROR_BUSY))
    {
      g_autofree char *code = g_strdup_printf ("%d", error->domain == SY_SYNC_ERROR ? error->code : -1);

      _sy_store_set_setting (store, SY_SYNC_LAST_ERROR, error->message, NULL);
      _sy_store_set_setting (store, SY_SYNC_LAST_ERROR_CODE, code, NULL);
    }
}

gboolean
sy_sync_run (SyStore             *store,
             SySyncFlags          flags,
             SySyncProgressFunc   progress,
             gpointer             progress_data,
             SySyncSummary       *summary,
             GCancellable        *cancellable,
             GError             **error)
{
  SySyncSummary ignored = { 0 };
  Run run = { 0 };
  g_autoptr(GError) local = NULL;
  gboolean ok;

  g_return_val_if_fail (SY_IS_STORE (store), FALSE);

  run.flags = flags;
  run.progress = progress;
  run.progress_data = progress_data;
  run.summary = summary ? summary : &ignored;
  memset (run.summary, 0, sizeof *run.summary);

  ok = run_start (&run, store, cancellable, &local);
  if (ok)
    {
      probe_gzip (&run);
      ok = (run.account->public.kind != SY_SYNC_KIND_HUB || register_learners (&run, &local)) &&
           push (&run, &local) &&
           pull (&run, &local) &&
           ((flags & SY_SYNC_RECORDS_ONLY) || sync_content (&run, &local));
    }
  if (run.http)
    {
      run.summary->bytes_sent = run.http->bytes_sent;
      run.summary->bytes_received = run.http->bytes_received;
    }
  run.summary->finished = g_get_real_time ();
  if (run.account != NULL)
    record_outcome (store, local);
  run_clear (&run);
  report (&run, SY_SYNC_PHASE_IDLE, 0, 0, NULL);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local));
  return ok;
}

/* ---- enrolment ---- */

gboolean
sy_sync_enrol (SyStore       *store,
               const char    *url,
               const char    *code,
               const char    *label,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autofree char *base = NULL;
  g_autofree char *devices = NULL;
  g_autofree char *trimmed = NULL;
  g_autoptr(Http) http = NULL;
  const char *headers[] = { "Content-Type: application/json", NULL };
  json_object *body, *reply;
  const char *device, *secret, *org, *xapi;
  Account account = { 0 };
  int lock;
  gboolean ok;

  g_return_val_if_fail (SY_IS_STORE (store), FALSE);

  if (!(base = normalize_url (url, error)))
    return FALSE;
  trimmed = g_strstrip (g_strdup (code != NULL ? code : ""));
  if (*trimmed == '\0')
    {
      g_set_error_literal (error, SY_SYNC_ERROR, SY_SYNC_ERROR_CODE,
                           _("Type the enrolment code your coordinator gave you."));
      return FALSE;
    }
  if ((lock = take_lock (store, error)) < 0)
    return FALSE;

  body = json_object_new_object ();
  json_object_object_add (body, "code", json_object_new_string (code));
  json_object_object_add (body, "label", json_object_new_string (label ? label : g_get_host_name ()));
  devices = endpoint (base, "/api/v1/devices");
  http = http_new (NULL, cancellable);
  {
    const char *text = json_object_to_json_string_ext (body, JSON_C_TO_STRING_PLAIN);
    ok = http_perform (http, "POST", devices, headers, text, strlen (text), error);
  }
  json_object_put (body);
  if (!ok)
    {
      close (lock);
      return FALSE;
    }
  if (http->status == 403 || http->status == 400)
    {
      g_autofree char *reason = http_reason (http);
      close (lock);
      g_set_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_CODE,
                   _("The hub did not accept this enrolment code. Check it, or ask your "
                     "coordinator for a new one: codes work once and expire (%s)."), reason);
      return FALSE;
    }
  if (http->status != 200 && http->status != 201)
    {
      close (lock);
      set_status_error (http, error);
      return FALSE;
    }
  reply = http_json (http);
  device = _sy_json_member_string (reply, "device");
  secret = _sy_json_member_string (reply, "secret");
  org = _sy_json_member_string (reply, "org");
  xapi = _sy_json_member_string (reply, "xapi");
  if (device == NULL || secret == NULL)
    {
      json_object_put (reply);
      close (lock);
      g_set_error_literal (error, SY_SYNC_ERROR, SY_SYNC_ERROR_PROTOCOL,
                           _("The hub’s answer cannot be understood: is this a Shuyuan hub?"));
      return FALSE;
    }
  account.public.kind = SY_SYNC_KIND_HUB;
  account.public.url = base;
  account.public.user = (char *) device;
  account.public.organisation = (char *) org;
  account.secret = (char *) secret;
  account.xapi = xapi ? g_uri_resolve_relative (base, xapi, G_URI_FLAGS_NONE, NULL)
                      : endpoint (base, "/xapi");
  while (account.xapi && g_str_has_suffix (account.xapi, "/"))
    account.xapi[strlen (account.xapi) - 1] = '\0';
  /* the reset first: a PC killed between the two still syncs everything to the new hub */
  ok = _sy_store_sync_reset (store, error) && save_account (store, &account, error);
  g_free (account.xapi);
  json_object_put (reply);
  close (lock);
  return ok;
}

gboolean
sy_sync_connect_lrs (SyStore       *store,
                     const char    *url,
                     const char    *key,
                     const char    *secret,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autofree char *base = NULL;
  g_autofree char *about_url = NULL;
  g_autoptr(Http) http = NULL;
  const char *headers[] = { XAPI_VERSION_HEADER, NULL };
  Account account = { 0 };
  json_object *about, *version = NULL;
  int lock;
  gboolean ok;

  g_return_val_if_fail (SY_IS_STORE (store), FALSE);

  if (!(base = normalize_url (url, error)))
    return FALSE;
  account.public.kind = SY_SYNC_KIND_LRS;
  account.public.url = base;
  account.public.user = (char *) key;
  account.secret = (char *) secret;
  account.xapi = base;
  if ((lock = take_lock (store, error)) < 0)
    return FALSE;
  http = http_new (&account, cancellable);
  about_url = endpoint (base, "/about");
  if (!http_perform (http, "GET", about_url, headers, NULL, 0, error))
    {
      close (lock);
      return FALSE;
    }
  about = http->status == 200 ? http_json (http) : NULL;
  if (about == NULL || !json_object_object_get_ex (about, "version", &version))
    {
      json_object_put (about);
      close (lock);
      g_set_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_PROTOCOL,
                   _("There is no xAPI record store at %s (GET %s answered HTTP %u)."),
                   base, about_url, http->status);
      return FALSE;
    }
  json_object_put (about);
  ok = _sy_store_sync_reset (store, error) && save_account (store, &account, error);
  close (lock);
  return ok;
}

/* ---- async ---- */

typedef struct
{
  SySyncFlags         flags;
  SySyncProgressFunc  progress;
  gpointer            progress_data;
  GDestroyNotify      progress_data_free;
  GMainContext       *context;
  SySyncSummary       summary;
  char               *url;
  char               *code;
  char               *label;
  SyCatalogEntry     *entry;
} AsyncData;

static gboolean
release_in_context (gpointer data)
{
  return G_SOURCE_REMOVE;   /* the source's destroy notify releases the data */
}

static void
async_data_free (AsyncData *d)
{
  /* The task's last reference may go on the worker thread. The caller's progress data (often
   * a widget) is released on the caller's own thread, never here: a GTK object finalized on
   * another thread corrupts the toolkit's state. */
  if (d->progress_data_free != NULL)
    {
      if (g_main_context_is_owner (d->context))
        d->progress_data_free (d->progress_data);
      else
        sy_main_context_post (d->context, release_in_context, d->progress_data,
                              d->progress_data_free);
    }
  g_main_context_unref (d->context);
  g_free (d->url);
  g_free (d->code);
  g_free (d->label);
  sy_catalog_entry_free (d->entry);
  g_free (d);
}

typedef struct
{
  SySyncProgress  progress;
  char           *item;
  AsyncData      *data;
  GTask          *task;
} ProgressCall;

static gboolean
deliver_progress (gpointer user_data)
{
  ProgressCall *call = user_data;

  call->progress.item = call->item;
  call->data->progress (&call->progress, call->data->progress_data);
  return G_SOURCE_REMOVE;
}

static void
progress_call_free (ProgressCall *call)
{
  g_free (call->item);
  g_object_unref (call->task);
  g_free (call);
}

/* Runs on the worker thread: posts the report to the caller's main context. */
static void
forward_progress (const SySyncProgress *progress,
                  gpointer              user_data)
{
  GTask *task = user_data;
  AsyncData *d = g_task_get_task_data (task);
  ProgressCall *call;

  if (d->progress == NULL)
    return;
  call = g_new0 (ProgressCall, 1);
  call->progress = *progress;
  call->item = g_strdup (progress->item);
  call->data = d;
  call->task = g_object_ref (task);   /* keeps d alive until delivered */
  sy_main_context_post (d->context, deliver_progress, call, (GDestroyNotify) progress_call_free);
}

static GTask *
new_task (SyStore             *store,
          gpointer             tag,
          SySyncProgressFunc   progress,
          gpointer             progress_data,
          GDestroyNotify       progress_data_free,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (store, cancellable, callback, user_data);
  AsyncData *d = g_new0 (AsyncData, 1);

  g_task_set_source_tag (task, tag);
  d->progress = progress;
  d->progress_data = progress_data;
  d->progress_data_free = progress_data_free;
  d->context = g_main_context_ref_thread_default ();
  g_task_set_task_data (task, d, (GDestroyNotify) async_data_free);
  return task;
}

static void
run_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  AsyncData *d = task_data;
  GError *error = NULL;

  if (sy_sync_run (source, d->flags, forward_progress, task, &d->summary, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
sy_sync_run_async (SyStore             *store,
                   SySyncFlags          flags,
                   SySyncProgressFunc   progress,
                   gpointer             progress_data,
                   GDestroyNotify       progress_data_free,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (store, sy_sync_run_async, progress, progress_data,
                                    progress_data_free, cancellable, callback, user_data);

  ((AsyncData *) g_task_get_task_data (task))->flags = flags;
  g_task_run_in_thread (task, run_thread);
}

gboolean
sy_sync_run_finish (SyStore        *store,
                    GAsyncResult   *result,
                    SySyncSummary  *summary,
                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  if (summary)
    *summary = ((AsyncData *) g_task_get_task_data (G_TASK (result)))->summary;
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
enrol_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  AsyncData *d = task_data;
  GError *error = NULL;

  if (sy_sync_enrol (source, d->url, d->code, d->label, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
sy_sync_enrol_async (SyStore             *store,
                     const char          *url,
                     const char          *code,
                     const char          *label,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (store, sy_sync_enrol_async, NULL, NULL, NULL,
                                    cancellable, callback, user_data);
  AsyncData *d = g_task_get_task_data (task);

  d->url = g_strdup (url);
  d->code = g_strdup (code);
  d->label = g_strdup (label);
  g_task_run_in_thread (task, enrol_thread);
}

gboolean
sy_sync_enrol_finish (SyStore       *store,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the catalog, on its own ---- */

GPtrArray *
sy_sync_get_catalog (SyStore       *store,
                     GCancellable  *cancellable,
                     GError       **error)
{
  SySyncSummary summary = { 0 };
  Run run = { 0 };
  GPtrArray *catalog = NULL;

  g_return_val_if_fail (SY_IS_STORE (store), NULL);
  run.summary = &summary;
  run.lock_fd = -1;
  run.store = store;
  if (!(run.account = load_account (store, error)))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, SY_SYNC_ERROR, SY_SYNC_ERROR_NOT_ENROLLED,
                             _("This PC is not connected to a hub yet. Enrol it with the code "
                               "from your coordinator (Preferences, or shuyuan-cli enrol)."));
      return NULL;
    }
  run.http = http_new (run.account, cancellable);
  catalog = fetch_catalog (&run, error);
  run_clear (&run);
  return catalog;
}

static void
catalog_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *catalog = sy_sync_get_catalog (source, cancellable, &error);

  if (catalog)
    g_task_return_pointer (task, catalog, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

void
sy_sync_get_catalog_async (SyStore             *store,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (store, sy_sync_get_catalog_async, NULL, NULL, NULL,
                                    cancellable, callback, user_data);
  g_task_run_in_thread (task, catalog_thread);
}

GPtrArray *
sy_sync_get_catalog_finish (SyStore       *store,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
sy_sync_download (SyStore               *store,
                  const SyCatalogEntry  *entry,
                  SySyncProgressFunc     progress,
                  gpointer               progress_data,
                  GCancellable          *cancellable,
                  GError               **error)
{
  SySyncSummary summary = { 0 };
  Run run = { 0 };
  gboolean ok;

  g_return_val_if_fail (SY_IS_STORE (store), FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);
  run.summary = &summary;
  run.progress = progress;
  run.progress_data = progress_data;
  ok = run_start (&run, store, cancellable, error) && install_package (&run, entry, error);
  run_clear (&run);
  return ok;
}

static SyCatalogEntry *
entry_copy (const SyCatalogEntry *entry)
{
  SyCatalogEntry *copy = g_new0 (SyCatalogEntry, 1);

  *copy = *entry;
  copy->id = g_strdup (entry->id);
  copy->title = g_strdup (entry->title);
  copy->programme = g_strdup (entry->programme);
  copy->sha256 = g_strdup (entry->sha256);
  copy->url = g_strdup (entry->url);
  return copy;
}

static void
download_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  AsyncData *d = task_data;
  GError *error = NULL;

  if (sy_sync_download (source, d->entry, forward_progress, task, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
sy_sync_download_async (SyStore               *store,
                        const SyCatalogEntry  *entry,
                        SySyncProgressFunc     progress,
                        gpointer               progress_data,
                        GDestroyNotify         progress_data_free,
                        GCancellable          *cancellable,
                        GAsyncReadyCallback    callback,
                        gpointer               user_data)
{
  g_autoptr(GTask) task = new_task (store, sy_sync_download_async, progress, progress_data,
                                    progress_data_free, cancellable, callback, user_data);

  ((AsyncData *) g_task_get_task_data (task))->entry = entry_copy (entry);
  g_task_run_in_thread (task, download_thread);
}

gboolean
sy_sync_download_finish (SyStore       *store,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
