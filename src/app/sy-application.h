/* sy-application.h — the Shuyuan desktop application
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sy-window.h"

G_BEGIN_DECLS

#define SY_TYPE_APPLICATION (sy_application_get_type ())

G_DECLARE_FINAL_TYPE (SyApplication, sy_application, SY, APPLICATION, AdwApplication)

SyApplication *sy_application_new            (void);
SyWindow      *sy_application_open_data_dir  (SyApplication *self,
                                              const char    *data_dir);

G_END_DECLS
