/* sy-sync-ui-private.h — what the UI tests may look at of the window's sync parts
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sy-catalog-page.h"
#include "sy-preferences-window.h"
#include "sy-sync-indicator.h"
#include "sy-sync-monitor.h"
#include "sy-window.h"

G_BEGIN_DECLS

SySyncMonitor       *_sy_window_get_sync_monitor        (SyWindow *self);
SySyncIndicator     *_sy_window_get_sync_indicator      (SyWindow *self);
SyCatalogPage       *_sy_window_get_catalog_page        (SyWindow *self);
SyPreferencesWindow *_sy_window_get_preferences_window  (SyWindow *self);

G_END_DECLS
