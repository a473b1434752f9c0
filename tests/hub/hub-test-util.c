/* hub-test-util.c — a real shuyuan-hub process for tests, and a small HTTP client
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The hub binary comes from $SHUYUAN_HUB, the engine from $SHUYUAN_HUB_TEST_ENGINE. Every
 * wait is bounded; a hub that does not come up or go down in time fails the test. Nothing
 * is printed on standard output (it carries TAP); the hub's standard error is inherited.
 */
#define G_LOG_DOMAIN "ShuyuanHubTest"

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>

#include "sy-util.h"
#include "hub-test-pg.h"
#include "hub-test-util.h"
#include "test-util.h"

#define START_TIMEOUT_S 60
#define STOP_TIMEOUT_S  60

typedef struct
{
  HubTestResponse pub;
  char           *text;
} Response;

static GMutex dirs_lock;
static GPtrArray *dirs;   /* temporary data directories, removed at exit */
static guint admin_counter;

static void
remove_dirs (void)
{
  g_mutex_lock (&dirs_lock);
  for (guint i = 0; dirs != NULL && i < dirs->len; i++)
    sy_rm_rf (g_ptr_array_index (dirs, i), NULL);
  g_clear_pointer (&dirs, g_ptr_array_unref);
  g_mutex_unlock (&dirs_lock);
}

const char *
hub_test_engine (void)
{
  const char *engine = g_getenv ("SHUYUAN_HUB_TEST_ENGINE");

  if (engine == NULL || *engine == '\0')
    return "sqlite";
  return engine;
}

static const char *
hub_binary (void)
{
  const char *hub = g_getenv ("SHUYUAN_HUB");

  if (hub == NULL || *hub == '\0')
    g_error ("SHUYUAN_HUB is not set: run the hub tests through meson test");
  return hub;
}

char *
hub_test_new_target (void)
{
  g_autoptr(GError) error = NULL;

  if (g_str_equal (hub_test_engine (), "postgresql"))
    {
      char *url = hub_test_pg_new_database (&error);

      if (url == NULL)
        g_error ("cannot make a PostgreSQL database for the test: %s", error->message);
      return url;
    }
  else if (g_str_equal (hub_test_engine (), "sqlite"))
    {
      char *dir = g_dir_make_tmp ("shuyuan-hub-test-XXXXXX", &error);

      if (dir == NULL)
        g_error ("cannot make a temporary folder: %s", error->message);
      g_mutex_lock (&dirs_lock);
      if (dirs == NULL)
        {
          dirs = g_ptr_array_new_with_free_func (g_free);
          atexit (remove_dirs);
        }
      g_ptr_array_add (dirs, g_strdup (dir));
      g_mutex_unlock (&dirs_lock);
      return dir;
    }
  g_error ("SHUYUAN_HUB_TEST_ENGINE is %s; want sqlite or postgresql", hub_test_engine ());
  return NULL;
}

/* In the hub, before exec: die with the test. Otherwise a test that fails (abort) leaves
 * the hub running, holding the test's standard error open, and the runner waits for it
 * until its timeout. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static const char *
target_option (const char *target)
{
  return g_str_has_prefix (target, "postgres") ? "--db" : "--data-dir";
}

static int
run_command (const char  *target,
             char       **out,
             char       **err,
             GPtrArray   *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;

  g_ptr_array_insert (args, 0, (gpointer) hub_binary ());
  if (target != NULL)
    {
      g_ptr_array_add (args, (gpointer) target_option (target));
      g_ptr_array_add (args, (gpointer) target);
    }
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  if (process == NULL)
    g_error ("cannot run %s: %s", hub_binary (), error->message);
  if (!g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error))
    g_error ("cannot read the output of %s: %s", hub_binary (), error->message);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);
  if (!g_subprocess_get_if_exited (process))
    return -1;
  return g_subprocess_get_exit_status (process);
}

int
hub_test_hub_command (const char  *target,
                      char       **out,
                      char       **err,
                      const char  *first_arg,
                      ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  return run_command (target, out, err, args);
}

static SoupSession *
new_session (void)
{
  return soup_session_new_with_options ("timeout", 120, "idle-timeout", 60, NULL);
}

HubTestHub *
hub_test_hub_start (const char *target,
                    const char *first_extra_arg,
                    ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *err = NULL;
  g_autofree char *admin_name = NULL;
  HubTestHub *hub;
  gboolean has_listen = FALSE;
  va_list ap;
  int status;

  hub = g_new0 (HubTestHub, 1);
  hub->target = target != NULL ? g_strdup (target) : hub_test_new_target ();
  hub->target_option = g_strdup (target_option (hub->target));

  /* a fresh target gets "admin"; a reused one another admin of its own */
  admin_name = target == NULL ? g_strdup ("admin")
                              : g_strdup_printf ("admin%u", g_atomic_int_add (&admin_counter, 1) + 2);
  status = hub_test_hub_command (hub->target, &secret, &err, "user", "add", admin_name,
                                 "--role", "admin", NULL);
  if (status != 0)
    g_error ("shuyuan-hub user add %s failed (exit %d): %s", admin_name, status, err);
  g_strstrip (secret);
  hub->admin = g_strdup_printf ("%s:%s", admin_name, secret);

  g_ptr_array_add (args, (gpointer) hub_binary ());
  g_ptr_array_add (args, (gpointer) "serve");
  g_ptr_array_add (args, hub->target_option);
  g_ptr_array_add (args, hub->target);
  va_start (ap, first_extra_arg);
  for (const char *arg = first_extra_arg; arg != NULL; arg = va_arg (ap, const char *))
    {
      if (g_str_equal (arg, "--listen"))
        has_listen = TRUE;
      g_ptr_array_add (args, (gpointer) arg);
    }
  va_end (ap);
  if (!has_listen)
    {
      g_ptr_array_add (args, (gpointer) "--listen");
      g_ptr_array_add (args, (gpointer) "127.0.0.1:0");
    }
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "SHUYUAN_HUB_TEST_HOOKS", "1", TRUE);
  hub->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  if (hub->process == NULL)
    g_error ("cannot start %s serve: %s", hub_binary (), error->message);

  /* "listening on URL", within a bounded time */
  line = test_read_first_line (g_subprocess_get_stdout_pipe (hub->process), START_TIMEOUT_S, &error);
  if (line == NULL || !g_str_has_prefix (line, "listening on "))
    g_error ("shuyuan-hub serve did not start: its first line was %s%s",
             line != NULL ? line : "(nothing: it exited) ", error != NULL ? error->message : "");
  hub->url = g_strdup (line + strlen ("listening on "));

  hub->session = new_session ();

  for (guint i = 0; ; i++)
    {
      g_autoptr(HubTestResponse) response = hub_test_request (hub, "GET", "/health", NULL, NULL,
                                                              NULL, 0, NULL, NULL);

      if (response->status == 200)
        break;
      if (i >= 100)
        g_error ("%s/health did not answer 200 (last: %u %s)", hub->url, response->status,
                 response->text);
      g_usleep (50 * 1000);
    }
  return hub;
}

static void
hub_free (HubTestHub *hub)
{
  g_clear_object (&hub->process);
  g_clear_object (&hub->session);
  g_free (hub->url);
  g_free (hub->target);
  g_free (hub->target_option);
  g_free (hub->admin);
  g_free (hub);
}

void
hub_test_hub_stop (HubTestHub *hub)
{
  if (hub == NULL)
    return;
  g_subprocess_send_signal (hub->process, SIGTERM);
  if (!test_wait_exit (hub->process, STOP_TIMEOUT_S))
    {
      g_subprocess_force_exit (hub->process);
      g_error ("shuyuan-hub did not stop within %d s of SIGTERM", STOP_TIMEOUT_S);
    }
  if (!g_subprocess_get_if_exited (hub->process) || g_subprocess_get_exit_status (hub->process) != 0)
    g_error ("shuyuan-hub did not exit cleanly on SIGTERM (wait status %d)",
             g_subprocess_get_status (hub->process));
  hub_free (hub);
}

void
hub_test_hub_kill (HubTestHub *hub)
{
  if (hub == NULL)
    return;
  g_subprocess_force_exit (hub->process);
  if (!test_wait_exit (hub->process, STOP_TIMEOUT_S))
    g_error ("shuyuan-hub did not die on SIGKILL within %d s", STOP_TIMEOUT_S);
  hub_free (hub);
}

static gboolean
accept_any_certificate (SoupMessage          *msg,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  return TRUE;  /* tests talk to their own hub on 127.0.0.1 with a self-signed cert */
}

HubTestResponse *
hub_test_request (HubTestHub  *hub,
                  const char  *method,
                  const char  *path_and_query,
                  const char  *auth,
                  const char  *content_type,
                  const char  *body,
                  gssize       body_len,
                  const char  *first_header,
                  ...)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strconcat (hub->url, path_and_query, NULL);
  SoupMessageHeaders *headers;
  gboolean version_named = FALSE;
  Response *response;
  GBytes *bytes;
  gsize size;
  va_list ap;

  msg = soup_message_new (method, url);
  if (msg == NULL)
    g_error ("cannot make a %s request for %s", method, url);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  headers = soup_message_get_request_headers (msg);

  if (auth != NULL)
    {
      g_autofree char *encoded = g_base64_encode ((const guchar *) auth, strlen (auth));
      g_autofree char *value = g_strconcat ("Basic ", encoded, NULL);

      soup_message_headers_replace (headers, "Authorization", value);
    }

  va_start (ap, first_header);
  for (const char *name = first_header; name != NULL; name = va_arg (ap, const char *))
    {
      const char *value = va_arg (ap, const char *);

      if (g_ascii_strcasecmp (name, "X-Experience-API-Version") == 0)
        version_named = TRUE;
      if (value != NULL && *value != '\0')
        soup_message_headers_append (headers, name, value);
    }
  va_end (ap);
  if (!version_named && g_str_has_prefix (path_and_query, "/xapi/"))
    soup_message_headers_replace (headers, "X-Experience-API-Version", "1.0.3");

  if (body != NULL)
    {
      g_autoptr(GBytes) request_body = NULL;

      if (body_len < 0)
        body_len = strlen (body);
      request_body = g_bytes_new (body, body_len);
      soup_message_set_request_body_from_bytes (msg, content_type != NULL ? content_type
                                                                          : "application/json",
                                                request_body);
    }

  bytes = soup_session_send_and_read (hub->session, msg, NULL, &error);
  if (bytes == NULL)
    g_error ("%s %s failed: %s", method, url, error->message);

  response = g_new0 (Response, 1);
  response->pub.status = soup_message_get_status (msg);
  response->pub.headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  response->pub.body = bytes;
  {
    const char *data = g_bytes_get_data (bytes, &size);

    response->text = g_strndup (data != NULL ? data : "", size);
  }
  response->pub.text = response->text;
  if (size > 0)
    response->pub.json = json_tokener_parse (response->text);
  return &response->pub;
}

SoupMessage *
hub_test_post_json (SoupSession *session,
                    const char  *url,
                    const char  *auth,
                    const char  *body,
                    gssize       body_len,
                    const char  *accept_encoding,
                    GBytes     **response)
{
  g_autofree char *encoded = g_base64_encode ((const guchar *) auth, strlen (auth));
  g_autofree char *authorization = g_strdup_printf ("Basic %s", encoded);
  g_autoptr(GBytes) request = g_bytes_new (body, body_len < 0 ? strlen (body) : (gsize) body_len);
  SoupMessage *msg = soup_message_new ("POST", url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  soup_message_headers_replace (headers, "Authorization", authorization);
  soup_message_headers_replace (headers, "X-Experience-API-Version", "1.0.3");
  if (accept_encoding != NULL)
    soup_message_headers_replace (headers, "Accept-Encoding", accept_encoding);
  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  *response = soup_session_send_and_read (session, msg, NULL, NULL);
  return msg;
}

HubTestResponse *
hub_test_admin (HubTestHub  *hub,
                const char  *method,
                const char  *path_and_query,
                const char  *json_body)
{
  return hub_test_request (hub, method, path_and_query, hub->admin, NULL, json_body, -1, NULL, NULL);
}

void
hub_test_response_free (HubTestResponse *pub)
{
  Response *response = (Response *) pub;

  if (response == NULL)
    return;
  g_clear_pointer (&pub->headers, soup_message_headers_unref);
  g_clear_pointer (&pub->body, g_bytes_unref);
  g_clear_pointer (&pub->json, json_object_put);
  g_free (response->text);
  g_free (response);
}
