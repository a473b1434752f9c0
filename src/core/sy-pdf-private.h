/* sy-pdf-private.h — writing a printable PDF, shared by the certificate and the coach report
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

/* Draws the document on @cr; the last page is shown after it returns. Returns %NULL, or
 * why it could not be drawn (said after "Could not write PATH: "). */
typedef const char *(*SyPdfDrawFunc) (cairo_t  *cr,
                                      gpointer  user_data);

gboolean _sy_pdf_write (const char     *path,
                        double          width,
                        double          height,
                        const char     *title,
                        SyPdfDrawFunc   draw,
                        gpointer        user_data,
                        GQuark          error_domain,
                        int             error_code,
                        GError        **error);

G_END_DECLS
