/* test-fault-proxy.c — sy-fault-proxy in front of a small echo server
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The proxy binary comes from $SY_FAULT_PROXY. Each test starts an echo server (a
 * GThreadedSocketService on 127.0.0.1, port 0) and a proxy in front of it, sends data through
 * and checks what comes back: intact without faults, and for each fault mode the failure the
 * mode promises. Every wait is bounded; nothing is printed on standard output (it carries TAP);
 * the proxy's standard error is copied to ours, minus the counter lines the tests read.
 */
#define G_LOG_DOMAIN "ShuyuanSyncTest"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "test-util.h"

#define START_TIMEOUT_S 30
#define STOP_TIMEOUT_S  30
#define IO_TIMEOUT_S    30
#define FD_TIMEOUT_S    15
#define CHUNK           (16 * 1024)

/* ---- the echo server ---- */

typedef struct
{
  GThread        *thread;
  GMainContext   *context;
  GMainLoop      *loop;
  guint16         port;
  GMutex          lock;
  GCond           cond;
  gboolean        ready;
} EchoServer;

static gboolean
send_all (GSocket      *socket,
          const guint8 *data,
          gsize         len,
          GError      **error)
{
  while (len > 0)
    {
      gssize n = g_socket_send (socket, (const char *) data, len, NULL, error);

      if (n < 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

static gboolean
echo_run_cb (GThreadedSocketService *service,
             GSocketConnection      *connection,
             GObject                *source_object,
             gpointer                user_data)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  g_autofree guint8 *buf = g_malloc (CHUNK);

  g_socket_set_timeout (socket, IO_TIMEOUT_S);
  for (;;)
    {
      gssize n = g_socket_receive (socket, (char *) buf, CHUNK, NULL, NULL);

      if (n <= 0 || !send_all (socket, buf, n, NULL))
        break;
    }
  g_socket_shutdown (socket, FALSE, TRUE, NULL);
  return TRUE;
}

static gpointer
echo_thread (gpointer data)
{
  EchoServer *server = data;
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (server->context);
  service = g_threaded_socket_service_new (-1);
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (service), 512);
  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (echo_run_cb), NULL);
  g_socket_service_start (service);

  g_mutex_lock (&server->lock);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  server->ready = TRUE;
  g_cond_signal (&server->cond);
  g_mutex_unlock (&server->lock);

  g_main_loop_run (server->loop);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  g_main_context_pop_thread_default (server->context);
  return NULL;
}

static EchoServer *
echo_server_start (void)
{
  EchoServer *server = g_new0 (EchoServer, 1);

  g_mutex_init (&server->lock);
  g_cond_init (&server->cond);
  server->context = g_main_context_new ();
  server->loop = g_main_loop_new (server->context, FALSE);
  server->thread = g_thread_new ("echo-server", echo_thread, server);
  g_mutex_lock (&server->lock);
  while (!server->ready)
    g_cond_wait (&server->cond, &server->lock);
  g_mutex_unlock (&server->lock);
  return server;
}

static void
echo_server_stop (EchoServer *server)
{
  g_main_loop_quit (server->loop);
  g_thread_join (server->thread);
  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  g_mutex_clear (&server->lock);
  g_cond_clear (&server->cond);
  g_free (server);
}

/* ---- the proxy process ---- */

static const char end_of_lines[] = "";   /* pushed when a pipe reaches its end */

typedef struct
{
  GSubprocess *process;
  guint16      port;
  GThread     *out_thread;
  GThread     *err_thread;
  GAsyncQueue *out_lines;
  GAsyncQueue *err_lines;
} Proxy;

typedef struct
{
  GInputStream *pipe;
  GAsyncQueue  *lines;
} LineReader;

static gpointer
line_reader_thread (gpointer data)
{
  LineReader *reader = data;
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (reader->pipe);
  char *line;

  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, NULL)) != NULL)
    g_async_queue_push (reader->lines, line);
  g_async_queue_push (reader->lines, (gpointer) end_of_lines);
  g_async_queue_unref (reader->lines);
  g_free (reader);
  return NULL;
}

static GThread *
start_line_reader (GInputStream *pipe,
                   GAsyncQueue  *lines)
{
  LineReader *reader = g_new0 (LineReader, 1);

  reader->pipe = pipe;
  reader->lines = g_async_queue_ref (lines);
  return g_thread_new ("proxy-lines", line_reader_thread, reader);
}

/* The next line of a pipe within @timeout_s; NULL at its end. Fails the test on timeout. */
static char *
next_line (GAsyncQueue *lines,
           int          timeout_s)
{
  char *line = g_async_queue_timeout_pop (lines, (guint64) timeout_s * G_USEC_PER_SEC);

  if (line == NULL)
    g_error ("sy-fault-proxy said nothing within %d s", timeout_s);
  if (line == end_of_lines)
    return NULL;
  return line;
}

/* In the proxy, before exec: die with the test, so that a failing test leaves nothing behind. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static Proxy *
proxy_start (guint16     target_port,
             const char *first_arg,
             ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *binary = g_getenv ("SY_FAULT_PROXY");
  const char *prefix = "listening on 127.0.0.1:";
  Proxy *proxy = g_new0 (Proxy, 1);
  va_list ap;

  if (binary == NULL || *binary == '\0')
    g_error ("SY_FAULT_PROXY is not set: run the sync tests through meson test");
  g_ptr_array_add (args, g_strdup (binary));
  g_ptr_array_add (args, g_strdup ("--listen"));
  g_ptr_array_add (args, g_strdup ("127.0.0.1:0"));
  g_ptr_array_add (args, g_strdup ("--target"));
  g_ptr_array_add (args, g_strdup_printf ("127.0.0.1:%u", target_port));
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  proxy->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata,
                                                 &error);
  g_assert_no_error (error);
  proxy->out_lines = g_async_queue_new ();
  proxy->err_lines = g_async_queue_new ();
  proxy->out_thread = start_line_reader (g_subprocess_get_stdout_pipe (proxy->process),
                                         proxy->out_lines);
  proxy->err_thread = start_line_reader (g_subprocess_get_stderr_pipe (proxy->process),
                                         proxy->err_lines);

  line = next_line (proxy->out_lines, START_TIMEOUT_S);
  if (line == NULL || !g_str_has_prefix (line, prefix))
    g_error ("sy-fault-proxy did not start: its first line was %s",
             line != NULL ? line : "(nothing: it exited)");
  proxy->port = (guint16) g_ascii_strtoull (line + strlen (prefix), NULL, 10);
  g_assert_cmpuint (proxy->port, >, 0);
  return proxy;
}

/* The next counters line on the proxy's standard error; other lines are copied to ours. */
static char *
proxy_next_counters (Proxy *proxy)
{
  for (;;)
    {
      char *line = next_line (proxy->err_lines, STOP_TIMEOUT_S);

      if (line == NULL)
        g_error ("sy-fault-proxy exited without printing its counters");
      if (g_str_has_prefix (line, "connections "))
        return line;
      g_printerr ("%s\n", line);
      g_free (line);
    }
}

static char *
proxy_counters (Proxy *proxy)
{
  g_subprocess_send_signal (proxy->process, SIGUSR1);
  return proxy_next_counters (proxy);
}

/* Stops the proxy with SIGTERM; returns the counters it printed on the way out. */
static char *
proxy_stop (Proxy *proxy)
{
  char *counters;
  char *line;

  g_subprocess_send_signal (proxy->process, SIGTERM);
  counters = proxy_next_counters (proxy);

  if (!test_wait_exit (proxy->process, STOP_TIMEOUT_S))
    {
      g_subprocess_force_exit (proxy->process);
      g_error ("sy-fault-proxy did not exit within %d s of SIGTERM", STOP_TIMEOUT_S);
    }
  g_assert_true (g_subprocess_get_if_exited (proxy->process));
  g_assert_cmpint (g_subprocess_get_exit_status (proxy->process), ==, 0);

  /* nothing more on standard output; the rest of standard error goes to ours */
  g_assert_null (next_line (proxy->out_lines, STOP_TIMEOUT_S));
  while ((line = next_line (proxy->err_lines, STOP_TIMEOUT_S)) != NULL)
    {
      g_printerr ("%s\n", line);
      g_free (line);
    }
  g_thread_join (proxy->out_thread);
  g_thread_join (proxy->err_thread);
  g_async_queue_unref (proxy->out_lines);
  g_async_queue_unref (proxy->err_lines);
  g_object_unref (proxy->process);
  g_free (proxy);
  return counters;
}

static guint
proxy_open_fds (Proxy *proxy)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/fd",
                                           g_subprocess_get_identifier (proxy->process));
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* ---- one client exchange: send everything, read until the end ---- */

typedef struct
{
  GSocketConnection *connection;
  const guint8      *data;
  gsize              len;
  gsize              written;
  GError            *write_error;
  GByteArray        *received;
  GError            *read_error;   /* NULL when the reply ended with EOF */
  gint64             first_byte_us; /* since the start; -1 when nothing came back */
  gint64             elapsed_us;
} Exchange;

static void
exchange_free (Exchange *exchange)
{
  g_clear_error (&exchange->write_error);
  g_clear_error (&exchange->read_error);
  g_byte_array_unref (exchange->received);
  g_free (exchange);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Exchange, exchange_free)

static gpointer
writer_thread (gpointer data)
{
  Exchange *exchange = data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (exchange->connection));

  while (exchange->written < exchange->len)
    {
      gssize n = g_output_stream_write (out, exchange->data + exchange->written,
                                        MIN (CHUNK, exchange->len - exchange->written), NULL,
                                        &exchange->write_error);

      if (n < 0)
        return NULL;
      exchange->written += n;
    }
  g_socket_shutdown (g_socket_connection_get_socket (exchange->connection), FALSE, TRUE, NULL);
  return NULL;
}

static Exchange *
exchange_run (guint16       port,
              const guint8 *data,
              gsize         len)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buf = g_malloc (CHUNK);
  Exchange *exchange = g_new0 (Exchange, 1);
  GInputStream *in;
  GThread *writer;
  gint64 start = g_get_monotonic_time ();

  exchange->data = data;
  exchange->len = len;
  exchange->received = g_byte_array_new ();
  exchange->first_byte_us = -1;

  g_socket_client_set_timeout (client, IO_TIMEOUT_S);
  exchange->connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL,
                                                          &error);
  g_assert_no_error (error);
  writer = g_thread_new ("exchange-writer", writer_thread, exchange);

  in = g_io_stream_get_input_stream (G_IO_STREAM (exchange->connection));
  for (;;)
    {
      gssize n = g_input_stream_read (in, buf, CHUNK, NULL, &exchange->read_error);

      if (n <= 0)
        break;
      if (exchange->first_byte_us < 0)
        exchange->first_byte_us = g_get_monotonic_time () - start;
      g_byte_array_append (exchange->received, buf, n);
    }
  g_thread_join (writer);
  exchange->elapsed_us = g_get_monotonic_time () - start;
  g_io_stream_close (G_IO_STREAM (exchange->connection), NULL, NULL);
  g_clear_object (&exchange->connection);

  /* a hung exchange is a failure of the proxy, not a fault it was asked for */
  g_assert_false (g_error_matches (exchange->read_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  g_assert_false (g_error_matches (exchange->write_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  return exchange;
}

static guint8 *
make_data (gsize len)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (len);
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = g_rand_int (rand);
  return data;
}

static void
assert_intact (Exchange *exchange)
{
  g_assert_no_error (exchange->write_error);
  g_assert_no_error (exchange->read_error);
  g_assert_cmpuint (exchange->written, ==, exchange->len);
  g_assert_cmpmem (exchange->received->data, exchange->received->len,
                   exchange->data, exchange->len);
}

static void
assert_prefix (Exchange *exchange)
{
  g_assert_cmpuint (exchange->received->len, <, exchange->len);
  g_assert_true (exchange->received->len == 0 ||
                 memcmp (exchange->received->data, exchange->data,
                         exchange->received->len) == 0);
}

static char *
expected_counters (guint   connections,
                   guint   drop,
                   guint   reset,
                   guint   truncate,
                   guint   delay,
                   guint   stall,
                   guint64 up,
                   guint64 down)
{
  return g_strdup_printf ("connections %u faults %u drop %u reset %u truncate %u delay %u "
                          "stall %u bytes_up %" G_GUINT64_FORMAT " bytes_down %"
                          G_GUINT64_FORMAT,
                          connections, drop + reset + truncate + delay + stall, drop, reset,
                          truncate, delay, stall, up, down);
}

/* The counters up to the byte counts, which depend on timing when faults hit. */
static char *
fault_counters (const char *counters)
{
  const char *bytes = strstr (counters, " bytes_up ");

  g_assert_nonnull (bytes);
  return g_strndup (counters, bytes - counters);
}

/* ---- the tests ---- */

static void
test_clean (void)
{
  EchoServer *server = echo_server_start ();
  Proxy *proxy = proxy_start (server->port, "--faults", "0", NULL);
  const gsize sizes[] = { 1, 1000, 64 * 1024, 1024 * 1024 };
  g_autofree char *counters = NULL;
  g_autofree char *final = NULL;
  g_autofree char *expected = NULL;
  guint64 total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree guint8 *data = make_data (sizes[i]);
      g_autoptr(Exchange) exchange = exchange_run (proxy->port, data, sizes[i]);

      assert_intact (exchange);
      total += sizes[i];
    }

  expected = expected_counters (G_N_ELEMENTS (sizes), 0, 0, 0, 0, 0, total, total);
  counters = proxy_counters (proxy);
  g_assert_cmpstr (counters, ==, expected);
  final = proxy_stop (proxy);
  g_assert_cmpstr (final, ==, expected);
  echo_server_stop (server);
}

#define FAULTY_RUNS 6
#define FAULTY_SIZE (64 * 1024)

/* Runs FAULTY_RUNS exchanges through a proxy that gives every connection a fault of @mode,
 * at offsets well within the data; checks each with @check and the proxy's count. */
static void
run_faulty (const char *mode,
            void      (*check) (Exchange *exchange))
{
  EchoServer *server = echo_server_start ();
  Proxy *proxy = proxy_start (server->port, "--faults", "1", "--modes", mode, "--seed", "7",
                              "--max-offset", "16384", "--delay-ms", "500", "--stall-ms", "1000",
                              NULL);
  g_autofree guint8 *data = make_data (FAULTY_SIZE);
  g_autofree char *counters = NULL;
  g_autofree char *wanted = g_strdup_printf (" %s %u ", mode, FAULTY_RUNS);

  for (guint i = 0; i < FAULTY_RUNS; i++)
    {
      g_autoptr(Exchange) exchange = exchange_run (proxy->port, data, FAULTY_SIZE);

      check (exchange);
    }
  counters = proxy_stop (proxy);
  g_test_message ("%s: %s", mode, counters);
  g_assert_nonnull (strstr (counters, wanted));
  g_assert_true (g_str_has_prefix (counters, "connections 6 faults 6 "));
  echo_server_stop (server);
}

static void
check_drop (Exchange *exchange)
{
  g_assert_no_error (exchange->read_error);
  g_assert_cmpuint (exchange->received->len, ==, 0);
}

static void
check_reset (Exchange *exchange)
{
  GError *error = exchange->read_error != NULL ? exchange->read_error : exchange->write_error;

  /* ECONNRESET (or EPIPE when the writer meets the RST first) */
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  assert_prefix (exchange);
}

static void
check_truncate (Exchange *exchange)
{
  g_assert_no_error (exchange->read_error);
  assert_prefix (exchange);
}

static void
check_delay (Exchange *exchange)
{
  assert_intact (exchange);
  g_assert_cmpint (exchange->first_byte_us, >=, 500 * 1000);
}

static void
check_stall (Exchange *exchange)
{
  g_assert_cmpint (exchange->elapsed_us, >=, 1000 * 1000);
  assert_prefix (exchange);
}

static void
test_drop (void)
{
  run_faulty ("drop", check_drop);
}

static void
test_reset (void)
{
  run_faulty ("reset", check_reset);
}

static void
test_truncate (void)
{
  run_faulty ("truncate", check_truncate);
}

static void
test_delay (void)
{
  run_faulty ("delay", check_delay);
}

static void
test_stall (void)
{
  run_faulty ("stall", check_stall);
}

static void
test_rate (void)
{
  EchoServer *server = echo_server_start ();
  Proxy *proxy = proxy_start (server->port, "--rate", "8000", NULL);
  g_autofree guint8 *data = make_data (16000);
  g_autoptr(Exchange) exchange = exchange_run (proxy->port, data, 16000);
  g_autofree char *counters = NULL;

  assert_intact (exchange);
  g_test_message ("16000 bytes each way at 8000 bytes/s: %.2f s", exchange->elapsed_us / 1e6);
  g_assert_cmpint (exchange->elapsed_us, >=, 1800 * 1000);
  g_assert_cmpint (exchange->elapsed_us, <, 10 * G_USEC_PER_SEC);
  counters = proxy_stop (proxy);
  g_assert_true (g_str_has_prefix (counters, "connections 1 faults 0 "));
  echo_server_stop (server);
}

static void
test_latency (void)
{
  EchoServer *server = echo_server_start ();
  Proxy *proxy = proxy_start (server->port, "--latency-ms", "200", NULL);
  g_autofree guint8 *data = make_data (100);
  g_autoptr(Exchange) exchange = exchange_run (proxy->port, data, 100);
  g_autofree char *counters = NULL;

  assert_intact (exchange);
  g_assert_cmpint (exchange->first_byte_us, >=, 400 * 1000);
  g_assert_cmpint (exchange->elapsed_us, <, 10 * G_USEC_PER_SEC);
  counters = proxy_stop (proxy);
  g_assert_true (g_str_has_prefix (counters, "connections 1 faults 0 "));
  echo_server_stop (server);
}

static void
write_control (const char *path,
               const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);

  /* renamed into place, so that the proxy never reads half a file */
  g_file_set_contents (tmp, value, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_rename (tmp, path), ==, 0);
}

static void
test_control (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sy-fault-proxy-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree guint8 *data = make_data (1000);
  g_autofree char *counters = NULL;
  EchoServer *server;
  Proxy *proxy;

  g_assert_no_error (error);
  path = g_build_filename (dir, "faults", NULL);
  write_control (path, "0\n");
  server = echo_server_start ();
  proxy = proxy_start (server->port, "--faults", "1", "--modes", "drop", "--control", path,
                       NULL);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(Exchange) off = NULL;
      g_autoptr(Exchange) on = NULL;

      write_control (path, "0");
      off = exchange_run (proxy->port, data, 1000);
      assert_intact (off);
      write_control (path, "1");
      on = exchange_run (proxy->port, data, 1000);
      check_drop (on);
    }
  counters = proxy_stop (proxy);
  g_assert_true (g_str_has_prefix (counters, "connections 6 faults 3 drop 3 reset 0 "));
  echo_server_stop (server);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Same seed, same sequence of connections: same faults. */
static void
test_seed (void)
{
  g_autofree guint8 *data = make_data (FAULTY_SIZE);
  g_autofree char *first = NULL;

  for (guint run = 0; run < 2; run++)
    {
      EchoServer *server = echo_server_start ();
      Proxy *proxy = proxy_start (server->port, "--faults", "0.5", "--seed", "42",
                                  "--max-offset", "16384", "--delay-ms", "50",
                                  "--stall-ms", "100", NULL);
      g_autofree char *counters = NULL;
      g_autofree char *faults = NULL;

      for (guint i = 0; i < 16; i++)
        {
          g_autoptr(Exchange) exchange = exchange_run (proxy->port, data, FAULTY_SIZE);

          if (exchange->read_error == NULL && exchange->received->len == FAULTY_SIZE)
            assert_intact (exchange);
          else
            assert_prefix (exchange);
        }
      counters = proxy_stop (proxy);
      faults = fault_counters (counters);
      g_test_message ("run %u: %s", run, counters);
      g_assert_false (g_str_has_prefix (faults, "connections 16 faults 0 "));
      if (first == NULL)
        first = g_steal_pointer (&faults);
      else
        g_assert_cmpstr (faults, ==, first);
      echo_server_stop (server);
    }
}

typedef struct
{
  guint16       port;
  const guint8 *data;
  gsize         len;
  gboolean      want_intact;
} ManyJob;

static gpointer
many_thread (gpointer user_data)
{
  ManyJob *job = user_data;
  g_autoptr(Exchange) exchange = exchange_run (job->port, job->data, job->len);

  if (job->want_intact)
    assert_intact (exchange);
  else if (exchange->read_error != NULL || exchange->received->len < job->len)
    assert_prefix (exchange);
  return NULL;
}

static void
run_many (Proxy        *proxy,
          guint         n,
          const guint8 *data,
          gsize         len,
          gboolean      want_intact)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  ManyJob job = { proxy->port, data, len, want_intact };

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (threads, g_thread_new ("many", many_thread, &job));
  for (guint i = 0; i < n; i++)
    g_thread_join (g_ptr_array_index (threads, i));
}

/* Hundreds of connections at once, with and without faults; afterwards the proxy holds
 * exactly the descriptors it held before. */
static void
test_many (void)
{
  const guint n = 200;
  const gsize len = 64 * 1024;
  g_autofree guint8 *data = make_data (len);
  EchoServer *server = echo_server_start ();
  Proxy *clean = proxy_start (server->port, NULL);
  Proxy *faulty = proxy_start (server->port, "--faults", "0.5", "--max-offset", "16384",
                               "--delay-ms", "50", "--stall-ms", "300", NULL);
  guint clean_fds = proxy_open_fds (clean);
  guint faulty_fds = proxy_open_fds (faulty);
  g_autofree char *clean_counters = NULL;
  g_autofree char *faulty_counters = NULL;
  g_autofree char *expected = NULL;
  gint64 deadline;

  run_many (clean, n, data, len, TRUE);
  run_many (faulty, n, data, len, FALSE);

  deadline = g_get_monotonic_time () + FD_TIMEOUT_S * G_USEC_PER_SEC;
  while ((proxy_open_fds (clean) != clean_fds || proxy_open_fds (faulty) != faulty_fds) &&
         g_get_monotonic_time () < deadline)
    g_usleep (50 * 1000);
  g_assert_cmpuint (proxy_open_fds (clean), ==, clean_fds);
  g_assert_cmpuint (proxy_open_fds (faulty), ==, faulty_fds);

  clean_counters = proxy_stop (clean);
  expected = expected_counters (n, 0, 0, 0, 0, 0, (guint64) n * len, (guint64) n * len);
  g_assert_cmpstr (clean_counters, ==, expected);
  faulty_counters = proxy_stop (faulty);
  g_test_message ("%s", faulty_counters);
  g_assert_true (g_str_has_prefix (faulty_counters, "connections 200 "));
  g_assert_false (g_str_has_prefix (faulty_counters, "connections 200 faults 0 "));
  echo_server_stop (server);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fault-proxy/clean", test_clean);
  g_test_add_func ("/fault-proxy/drop", test_drop);
  g_test_add_func ("/fault-proxy/reset", test_reset);
  g_test_add_func ("/fault-proxy/truncate", test_truncate);
  g_test_add_func ("/fault-proxy/delay", test_delay);
  g_test_add_func ("/fault-proxy/stall", test_stall);
  g_test_add_func ("/fault-proxy/rate", test_rate);
  g_test_add_func ("/fault-proxy/latency", test_latency);
  g_test_add_func ("/fault-proxy/control", test_control);
  g_test_add_func ("/fault-proxy/seed", test_seed);
  g_test_add_func ("/fault-proxy/many", test_many);
  return g_test_run ();
}
