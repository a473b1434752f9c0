/* sy-sync-indicator.h — the header bar's sync button and its popover
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sy-sync-monitor.h"

G_BEGIN_DECLS

#define SY_TYPE_SYNC_INDICATOR (sy_sync_indicator_get_type ())

G_DECLARE_FINAL_TYPE (SySyncIndicator, sy_sync_indicator, SY, SYNC_INDICATOR, GtkWidget)

SySyncMonitor *sy_sync_indicator_get_monitor  (SySyncIndicator *self);
void           sy_sync_indicator_set_monitor  (SySyncIndicator *self,
                                               SySyncMonitor   *monitor);

/* for the tests */
const char    *_sy_sync_indicator_get_label   (SySyncIndicator *self);
const char    *_sy_sync_indicator_get_error   (SySyncIndicator *self);
GtkPopover    *_sy_sync_indicator_get_popover (SySyncIndicator *self);
GtkWidget     *_sy_sync_indicator_get_sync_now_button (SySyncIndicator *self);

G_END_DECLS
