/* sy-window.h — the main window: the course library and the course pages
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SY_TYPE_WINDOW (sy_window_get_type ())

G_DECLARE_FINAL_TYPE (SyWindow, sy_window, SY, WINDOW, AdwApplicationWindow)

SyWindow   *sy_window_new           (GtkApplication *application,
                                     const char     *data_dir);
const char *sy_window_get_data_dir  (SyWindow       *self);
void        sy_window_import        (SyWindow       *self,
                                     GFile * const  *files,
                                     guint           n_files);

G_END_DECLS
