/* sync-ui-util.h — a real shuyuan-hub process and a pretend network for the sync UI test
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *process;
  char        *data_dir;
  char        *url;        /* "http://127.0.0.1:PORT" */
} SyncUiHub;

/* A hub on a new data folder, with @publish (sample course folders under
 * $SHUYUAN_SAMPLES, NULL-terminated) in its catalog, serving on 127.0.0.1 port 0. Aborts
 * the test on failure; every wait is bounded. */
SyncUiHub       *sync_ui_hub_start        (const char * const *publish);
/* A new one-time enrolment code for organisation @org. */
char            *sync_ui_hub_enrol_code   (SyncUiHub          *hub,
                                           const char         *org);
/* SIGTERM, wait, remove the data folder, free. */
void             sync_ui_hub_stop         (SyncUiHub          *hub);

/* A server on 127.0.0.1:@port that accepts connections and never answers: a sync
 * against it stays "syncing" until sync_ui_silent_stop() closes them. */
typedef struct _SyncUiSilent SyncUiSilent;
SyncUiSilent    *sync_ui_silent_start     (guint16             port);
void             sync_ui_silent_stop      (SyncUiSilent       *silent);
guint16          sync_ui_url_port         (const char         *url);

/* A GNetworkMonitor the test decides about. */
GNetworkMonitor *sync_ui_network_new      (gboolean            available,
                                           gboolean            metered);
/* Changes it and emits network-changed, as the real one does. */
void             sync_ui_network_set      (GNetworkMonitor    *network,
                                           gboolean            available,
                                           gboolean            metered);

G_END_DECLS
