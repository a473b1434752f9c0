/* sy-cover.h — loading course cover images off the main thread
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void        sy_cover_load_async   (const char           *path,
                                   int                   width,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
GdkTexture *sy_cover_load_finish  (GAsyncResult         *result,
                                   GError              **error);

G_END_DECLS
