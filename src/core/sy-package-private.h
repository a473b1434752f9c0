/* sy-package-private.h — shared between the stager and the loader
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sy-package.h"

G_BEGIN_DECLS

gboolean _sy_package_error   (GError     **error,
                               int          code,
                               const char  *file,
                               const char  *field,
                               const char  *format,
                               ...) G_GNUC_PRINTF (5, 6);
char *_sy_package_check_path  (const char  *path,
                               const char **why);

G_END_DECLS
