/* sy-pdf.c — writing a printable PDF, shared by the certificate and the coach report
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "sy-i18n.h"
#include "sy-pdf-private.h"

typedef struct
{
  int fd;
  int saved_errno;
} WriteClosure;

static cairo_status_t
write_to_fd (void                *data,
             const unsigned char *buffer,
             unsigned int         length)
{
  WriteClosure *closure = data;

  while (length > 0)
    {
      gssize n = write (closure->fd, buffer, length);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          closure->saved_errno = errno;
          return CAIRO_STATUS_WRITE_ERROR;
        }
      buffer += n;
      length -= n;
    }

  return CAIRO_STATUS_SUCCESS;
}

static void
set_write_error (GError     **error,
                 GQuark       domain,
                 int          code,
                 const char  *path,
                 const char  *reason)
{
  g_set_error (error, domain, code,
               /* Translators: the first %s is a file name, the second says what went wrong */
               _("Could not write %s: %s"), path, reason);
}

/* Renders to a temporary file next to @path and renames it over @path only when complete,
 * so a full disk or a crash never leaves a half-written document (or destroys the previous
 * one). Errors are @error_domain's @error_code. */
gboolean
_sy_pdf_write (const char     *path,
               double          width,
               double          height,
               const char     *title,
               SyPdfDrawFunc   draw,
               gpointer        user_data,
               GQuark          error_domain,
               int             error_code,
               GError        **error)
{
  g_autofree char *tmp_path = NULL;
  WriteClosure closure = { -1, 0 };
  cairo_surface_t *surface;
  cairo_status_t status;
  const char *failure;
  cairo_t *cr;

  g_assert (path != NULL);
  g_assert (draw != NULL);

  /* Same folder, so the rename cannot cross file systems */
  tmp_path = g_strconcat (path, ".tmp-XXXXXX", NULL);
  closure.fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0644);
  if (closure.fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, error_domain, error_code,
                   /* Translators: the first %s is a file name, the second says why */
                   _("Could not create %s: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  surface = cairo_pdf_surface_create_for_stream (write_to_fd, &closure, width, height);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Shuyuan " PACKAGE_VERSION);

  cr = cairo_create (surface);
  failure = draw (cr, user_data);
  cairo_show_page (cr);
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (failure != NULL)
    set_write_error (error, error_domain, error_code, path, failure);
  else if (status != CAIRO_STATUS_SUCCESS)
    set_write_error (error, error_domain, error_code, path,
                     closure.saved_errno != 0 ? g_strerror (closure.saved_errno)
                                              : cairo_status_to_string (status));
  /* A printed document is worth the fsync: the rename must not land before the data */
  else if (fsync (closure.fd) != 0)
    set_write_error (error, error_domain, error_code, path, g_strerror (errno));
  else
    {
      int fd = g_steal_fd (&closure.fd);

      if (close (fd) != 0)
        set_write_error (error, error_domain, error_code, path, g_strerror (errno));
      else if (g_rename (tmp_path, path) != 0)
        set_write_error (error, error_domain, error_code, path, g_strerror (errno));
      else
        return TRUE;
    }

  if (closure.fd >= 0)
    close (closure.fd);
  g_unlink (tmp_path);
  return FALSE;
}
