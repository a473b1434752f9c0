/* sync-ui-util.c — a real shuyuan-hub process and a pretend network for the sync UI test
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Adapted from tests/hub/hub-test-util.c (SQLite only, no HTTP client: the app is the
 * client). The hub binary is $SHUYUAN_HUB, else the one meson built (SHUYUAN_HUB). The
 * hub dies with the test (PR_SET_PDEATHSIG), so a failed test leaves no server behind.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "sy-util.h"
#include "sync-ui-util.h"
#include "test-util.h"

#define START_TIMEOUT_S 60
#define STOP_TIMEOUT_S  60

static const char *
hub_binary (void)
{
  const char *hub = g_getenv ("SHUYUAN_HUB");

  if (hub != NULL && hub[0] != '\0')
    return hub;
#ifdef SHUYUAN_HUB
  return SHUYUAN_HUB;
#else
  g_error ("SHUYUAN_HUB is not set and the hub was not built");
  return NULL;
#endif
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Runs `shuyuan-hub ARGS… --data-dir DIR`; returns its standard output, aborting the test
 * if it fails. */
static char *
hub_command (const char         *data_dir,
             const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, (gpointer) hub_binary ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, (gpointer) data_dir);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  if (process == NULL)
    g_error ("cannot run %s: %s", hub_binary (), error->message);
  if (!g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error))
    g_error ("cannot read the output of %s: %s", hub_binary (), error->message);
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    g_error ("shuyuan-hub %s failed: %s", args[0], err);
  return g_steal_pointer (&out);
}

SyncUiHub *
sync_ui_hub_start (const char * const *publish)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *samples = g_getenv ("SHUYUAN_SAMPLES");
  SyncUiHub *hub = g_new0 (SyncUiHub, 1);

  g_assert_nonnull (samples);
  hub->data_dir = g_dir_make_tmp ("shuyuan-sync-ui-hub-XXXXXX", &error);
  g_assert_no_error (error);

  for (guint i = 0; publish != NULL && publish[i] != NULL; i++)
    {
      g_autofree char *dir = g_build_filename (samples, publish[i], NULL);
      const char *args[] = { "publish", dir, NULL };

      g_free (hub_command (hub->data_dir, args));
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  hub->process = g_subprocess_launcher_spawn (launcher, &error, hub_binary (), "serve",
                                              "--data-dir", hub->data_dir,
                                              "--listen", "127.0.0.1:0", NULL);
  if (hub->process == NULL)
    g_error ("cannot start %s serve: %s", hub_binary (), error->message);

  /* "listening on URL" once it accepts connections */
  line = test_read_first_line (g_subprocess_get_stdout_pipe (hub->process), START_TIMEOUT_S, &error);
  if (line == NULL || !g_str_has_prefix (line, "listening on "))
    g_error ("shuyuan-hub serve did not start: its first line was %s%s",
             line != NULL ? line : "(nothing: it exited) ", error != NULL ? error->message : "");
  hub->url = g_strdup (line + strlen ("listening on "));
  g_test_message ("hub at %s, data in %s", hub->url, hub->data_dir);
  return hub;
}

char *
sync_ui_hub_enrol_code (SyncUiHub  *hub,
                        const char *org)
{
  const char *args[] = { "enrol-code", "--org", org, NULL };
  char *code = hub_command (hub->data_dir, args);

  return g_strstrip (code);
}

void
sync_ui_hub_stop (SyncUiHub *hub)
{
  if (hub == NULL)
    return;

  g_subprocess_send_signal (hub->process, SIGTERM);
  if (!test_wait_exit (hub->process, STOP_TIMEOUT_S))
    {
      g_subprocess_force_exit (hub->process);
      g_error ("shuyuan-hub did not stop within %d s of SIGTERM", STOP_TIMEOUT_S);
    }

  sy_rm_rf (hub->data_dir, NULL);
  g_clear_object (&hub->process);
  g_free (hub->data_dir);
  g_free (hub->url);
  g_free (hub);
}

/* ---- a server that never answers ---- */

struct _SyncUiSilent
{
  GSocketService *service;
  GPtrArray      *connections;
};

static gboolean
silent_incoming_cb (GSocketService    *service,
                    GSocketConnection *connection,
                    GObject           *source,
                    gpointer           user_data)
{
  SyncUiSilent *silent = user_data;

  g_ptr_array_add (silent->connections, g_object_ref (connection));
  return TRUE;
}

SyncUiSilent *
sync_ui_silent_start (guint16 port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  SyncUiSilent *silent = g_new0 (SyncUiSilent, 1);

  silent->connections = g_ptr_array_new_with_free_func (g_object_unref);
  silent->service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (silent->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, NULL,
                                      &error))
    g_error ("cannot listen on 127.0.0.1:%u: %s", port, error->message);
  g_signal_connect (silent->service, "incoming", G_CALLBACK (silent_incoming_cb), silent);
  g_socket_service_start (silent->service);
  return silent;
}

void
sync_ui_silent_stop (SyncUiSilent *silent)
{
  g_socket_service_stop (silent->service);
  g_socket_listener_close (G_SOCKET_LISTENER (silent->service));
  for (guint i = 0; i < silent->connections->len; i++)
    g_io_stream_close (g_ptr_array_index (silent->connections, i), NULL, NULL);
  g_ptr_array_unref (silent->connections);
  g_object_unref (silent->service);
  g_free (silent);
}

guint16
sync_ui_url_port (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  g_assert_cmpint (g_uri_get_port (uri), >, 0);
  return (guint16) g_uri_get_port (uri);
}

/* ---- a pretend network ---- */

#define SYNC_UI_TYPE_NETWORK (sync_ui_network_get_type ())
G_DECLARE_FINAL_TYPE (SyncUiNetwork, sync_ui_network, SYNC_UI, NETWORK, GObject)

struct _SyncUiNetwork
{
  GObject  parent_instance;
  gboolean available;
  gboolean metered;
};

enum {
  PROP_0,
  PROP_NETWORK_AVAILABLE,
  PROP_NETWORK_METERED,
  PROP_CONNECTIVITY,
};

static void sync_ui_network_monitor_iface_init (GNetworkMonitorInterface *iface);
static void sync_ui_network_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SyncUiNetwork, sync_ui_network, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      sync_ui_network_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR,
                                                      sync_ui_network_monitor_iface_init))

static gboolean
sync_ui_network_can_reach (GNetworkMonitor     *monitor,
                           GSocketConnectable  *connectable,
                           GCancellable        *cancellable,
                           GError             **error)
{
  return SYNC_UI_NETWORK (monitor)->available;
}

static void
sync_ui_network_monitor_iface_init (GNetworkMonitorInterface *iface)
{
  iface->can_reach = sync_ui_network_can_reach;
}

static gboolean
sync_ui_network_initable_init (GInitable     *initable,
                               GCancellable  *cancellable,
                               GError       **error)
{
  return TRUE;
}

static void
sync_ui_network_initable_iface_init (GInitableIface *iface)
{
  iface->init = sync_ui_network_initable_init;
}

static void
sync_ui_network_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SyncUiNetwork *self = SYNC_UI_NETWORK (object);

  switch (prop_id)
    {
    case PROP_NETWORK_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case PROP_NETWORK_METERED:
      g_value_set_boolean (value, self->metered);
      break;
    case PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL
                                               : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sync_ui_network_class_init (SyncUiNetworkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = sync_ui_network_get_property;
  g_object_class_override_property (object_class, PROP_NETWORK_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, PROP_NETWORK_METERED, "network-metered");
  g_object_class_override_property (object_class, PROP_CONNECTIVITY, "connectivity");
}

static void
sync_ui_network_init (SyncUiNetwork *self)
{
}

GNetworkMonitor *
sync_ui_network_new (gboolean available,
                     gboolean metered)
{
  SyncUiNetwork *self = g_object_new (SYNC_UI_TYPE_NETWORK, NULL);

  self->available = available;
  self->metered = metered;
  return G_NETWORK_MONITOR (self);
}

void
sync_ui_network_set (GNetworkMonitor *network,
                     gboolean         available,
                     gboolean         metered)
{
  SyncUiNetwork *self = SYNC_UI_NETWORK (network);

  self->available = available;
  self->metered = metered;
  g_object_notify (G_OBJECT (self), "network-metered");
  g_object_notify (G_OBJECT (self), "network-available");
  g_signal_emit_by_name (self, "network-changed", available);
}
