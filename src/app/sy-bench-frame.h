/* sy-bench-frame.h — reporting the first painted frame to the startup benchmark
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * When SHUYUAN_BENCH_FRAME_FD names a file descriptor, the first frame painted after
 * bench_report_first_frame() writes one byte to it and the application quits. The
 * benchmark measures from spawning the process to reading that byte, and the peak RSS
 * of the process.
 */
#pragma once

#include <gtk/gtk.h>
#include <unistd.h>

static inline void
bench_frame_painted_cb (GdkFrameClock *clock,
                        GtkWidget     *widget)
{
  const char *fd_str = g_getenv ("SHUYUAN_BENCH_FRAME_FD");
  int fd = fd_str ? atoi (fd_str) : -1;

  g_signal_handlers_disconnect_by_func (clock, bench_frame_painted_cb, widget);
  if (fd >= 0)
    {
      if (write (fd, "f", 1) != 1)
        g_warning ("Could not report the first frame");
      close (fd);
    }
  g_application_quit (g_application_get_default ());
}

static inline void
bench_frame_realized_cb (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  g_signal_connect (clock, "after-paint", G_CALLBACK (bench_frame_painted_cb), widget);
  gtk_widget_queue_draw (widget);
}

/* Call when @widget shows what the user came for; does nothing outside the benchmark. */
static inline void
bench_report_first_frame (GtkWidget *widget)
{
  if (g_getenv ("SHUYUAN_BENCH_FRAME_FD") == NULL)
    return;
  if (gtk_widget_get_realized (widget))
    bench_frame_realized_cb (widget);
  else
    g_signal_connect (widget, "realize", G_CALLBACK (bench_frame_realized_cb), NULL);
}
