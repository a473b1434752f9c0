/* sy-sync-monitor.h — when this PC syncs with its hub, and how the last sync went
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sy-store.h"
#include "sy-sync.h"

G_BEGIN_DECLS

/**
 * SySyncState:
 * @SY_SYNC_STATE_UNKNOWN: not known yet (the store is not open, or the account not read)
 * @SY_SYNC_STATE_NOT_SET_UP: this PC has no hub to sync with
 * @SY_SYNC_STATE_OFFLINE: there is no network (and no sync has worked since it went)
 * @SY_SYNC_STATE_SYNCING: a sync is running
 * @SY_SYNC_STATE_IDLE: the last sync worked (records may be waiting since)
 * @SY_SYNC_STATE_ERROR: the last sync failed
 */
typedef enum
{
  SY_SYNC_STATE_UNKNOWN,
  SY_SYNC_STATE_NOT_SET_UP,
  SY_SYNC_STATE_OFFLINE,
  SY_SYNC_STATE_SYNCING,
  SY_SYNC_STATE_IDLE,
  SY_SYNC_STATE_ERROR,
} SySyncState;

#define SY_TYPE_SYNC_STATE (sy_sync_state_get_type ())
GType sy_sync_state_get_type (void);

#define SY_TYPE_SYNC_MONITOR (sy_sync_monitor_get_type ())

G_DECLARE_FINAL_TYPE (SySyncMonitor, sy_sync_monitor, SY, SYNC_MONITOR, GObject)

SySyncMonitor  *sy_sync_monitor_new                 (SyStore         *store,
                                                     GSettings       *settings);
SyStore        *sy_sync_monitor_get_store           (SySyncMonitor   *self);
GSettings      *sy_sync_monitor_get_settings        (SySyncMonitor   *self);
void            sy_sync_monitor_start               (SySyncMonitor   *self);
void            sy_sync_monitor_sync_now            (SySyncMonitor   *self);
void            sy_sync_monitor_refresh             (SySyncMonitor   *self);
void            sy_sync_monitor_hold                (SySyncMonitor   *self);
void            sy_sync_monitor_release             (SySyncMonitor   *self);

SySyncState     sy_sync_monitor_get_state           (SySyncMonitor   *self);
gboolean        sy_sync_monitor_get_busy            (SySyncMonitor   *self);
double          sy_sync_monitor_get_fraction        (SySyncMonitor   *self);
const char     *sy_sync_monitor_get_phase_text      (SySyncMonitor   *self);
guint           sy_sync_monitor_get_waiting         (SySyncMonitor   *self);
guint           sy_sync_monitor_get_quarantined     (SySyncMonitor   *self);
GDateTime      *sy_sync_monitor_get_last_synced     (SySyncMonitor   *self);
const GError   *sy_sync_monitor_get_last_error      (SySyncMonitor   *self);
const char     *sy_sync_monitor_get_last_error_text (SySyncMonitor   *self);
gboolean        sy_sync_monitor_get_enrolled        (SySyncMonitor   *self);
const char     *sy_sync_monitor_get_organisation    (SySyncMonitor   *self);
const char     *sy_sync_monitor_get_url             (SySyncMonitor   *self);
gboolean        sy_sync_monitor_get_metered         (SySyncMonitor   *self);
gboolean        sy_sync_monitor_get_network_available (SySyncMonitor *self);
GNetworkMonitor *sy_sync_monitor_get_network_monitor (SySyncMonitor  *self);
void            sy_sync_monitor_set_network_monitor (SySyncMonitor   *self,
                                                     GNetworkMonitor *network_monitor);
guint           sy_sync_monitor_get_next_delay      (SySyncMonitor   *self);

/* Words for the person at the PC */
char           *sy_sync_describe_error              (const GError    *error);
char           *sy_sync_describe_progress           (const SySyncProgress *progress);
char           *sy_sync_format_last_synced          (GDateTime       *when);

G_END_DECLS
