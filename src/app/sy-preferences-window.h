/* sy-preferences-window.h — the hub this PC syncs with, and when
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sy-sync-monitor.h"

G_BEGIN_DECLS

#define SY_TYPE_PREFERENCES_WINDOW (sy_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (SyPreferencesWindow, sy_preferences_window, SY, PREFERENCES_WINDOW, AdwPreferencesWindow)

SyPreferencesWindow *sy_preferences_window_new (GtkWindow     *parent,
                                                SySyncMonitor *monitor);

/* for the tests */
GtkEditable *_sy_preferences_window_get_address    (SyPreferencesWindow *self);
GtkEditable *_sy_preferences_window_get_code       (SyPreferencesWindow *self);
GtkWidget   *_sy_preferences_window_get_enrol_button (SyPreferencesWindow *self);
GtkWidget   *_sy_preferences_window_get_forget_button (SyPreferencesWindow *self);
const char  *_sy_preferences_window_get_error      (SyPreferencesWindow *self);
gboolean     _sy_preferences_window_is_enrolling   (SyPreferencesWindow *self);
const char  *_sy_preferences_window_get_enrolled   (SyPreferencesWindow *self);
AdwMessageDialog *_sy_preferences_window_get_forget_dialog (SyPreferencesWindow *self);

G_END_DECLS
