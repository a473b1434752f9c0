/* sy-util.h — small helpers shared by the core, the app and the CLI
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sy-types.h"

G_BEGIN_DECLS

void         sy_core_init            (void);
gboolean     sy_id_is_valid          (const char  *id);
char        *sy_default_data_dir     (void);
gboolean     sy_rm_rf                (const char  *path,
                                      GError     **error);
const char  *sy_item_type_to_string  (SyItemType   type);
gboolean     sy_item_type_from_string (const char *str,
                                       SyItemType *type);
const char  *sy_role_to_string       (SyRole       role);
gboolean     sy_role_from_string     (const char  *str,
                                      SyRole      *role);
const char  *sy_status_to_string     (SyStatus     status);
const char  *sy_programme_display_name (const char *programme);
GBytes      *sy_gzip                 (const void  *data,
                                      gsize        size,
                                      int          level);
void         sy_main_context_post    (GMainContext *context,
                                      GSourceFunc   func,
                                      gpointer      data,
                                      GDestroyNotify notify);

G_END_DECLS
