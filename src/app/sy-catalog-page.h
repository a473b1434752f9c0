/* sy-catalog-page.h — the courses a hub offers, to download
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sy-sync-monitor.h"

G_BEGIN_DECLS

#define SY_TYPE_CATALOG_PAGE (sy_catalog_page_get_type ())

G_DECLARE_FINAL_TYPE (SyCatalogPage, sy_catalog_page, SY, CATALOG_PAGE, AdwBin)

void           sy_catalog_page_set_monitor   (SyCatalogPage *self,
                                              SySyncMonitor *monitor);
void           sy_catalog_page_load          (SyCatalogPage *self);
gboolean       sy_catalog_page_get_busy      (SyCatalogPage *self);

/* for the tests */
const char    *_sy_catalog_page_get_view     (SyCatalogPage *self);
const char    *_sy_catalog_page_get_error    (SyCatalogPage *self);
guint          _sy_catalog_page_get_n_rows   (SyCatalogPage *self);
AdwActionRow  *_sy_catalog_page_get_row      (SyCatalogPage *self,
                                              const char    *course_id);
const char    *_sy_catalog_page_get_row_state (SyCatalogPage *self,
                                              const char    *course_id);
GtkWidget     *_sy_catalog_page_get_row_button (SyCatalogPage *self,
                                              const char    *course_id);
gboolean       _sy_catalog_page_get_metered_shown (SyCatalogPage *self);

G_END_DECLS
