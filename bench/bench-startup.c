/* bench-startup.c — launch to first frame, and peak RSS, of the app beside a bare window
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-startup --runs N -- NAME COMMAND… [-- NAME COMMAND…]
 *
 * Runs each command N times, alternating between them so that both see the same machine,
 * and prints the median time from spawn to the first painted frame (reported through
 * SHUYUAN_BENCH_FRAME_FD, see src/app/sy-bench-frame.h) and the peak RSS of the process. Needs a
 * display (bench/run starts Xvfb).
 */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct
{
  const char *name;
  GStrv       argv;
  GArray     *ms;      /* double */
  long        max_rss_kib;
} Subject;

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  if (values->len == 0)
    return 0;
  if (values->len % 2)
    return g_array_index (values, double, values->len / 2);
  return (g_array_index (values, double, values->len / 2 - 1) +
          g_array_index (values, double, values->len / 2)) / 2;
}

static void
run_once (Subject *s)
{
  int fds[2];
  gint64 start;
  pid_t pid;
  char byte;
  ssize_t n;
  int status;
  struct rusage usage;

  if (pipe (fds) != 0)
    g_error ("pipe: %s", g_strerror (errno));

  start = g_get_monotonic_time ();
  pid = fork ();
  if (pid == 0)
    {
      g_autofree char *fd = g_strdup_printf ("%d", fds[1]);

      close (fds[0]);
      g_setenv ("SHUYUAN_BENCH_FRAME_FD", fd, TRUE);
      execv (s->argv[0], s->argv);
      _exit (127);
    }
  close (fds[1]);

  do
    n = read (fds[0], &byte, 1);
  while (n < 0 && errno == EINTR);
  if (n == 1)
    {
      double ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (s->ms, ms);
    }
  else
    g_printerr ("%s did not report a frame\n", s->name);
  close (fds[0]);

  if (wait4 (pid, &status, 0, &usage) < 0)
    g_error ("wait4: %s", g_strerror (errno));
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_printerr ("%s exited abnormally (status %d)\n", s->name, status);
  s->max_rss_kib = MAX (s->max_rss_kib, usage.ru_maxrss);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) subjects = g_ptr_array_new ();
  int runs = 5;
  int i = 1;

  if (argc > 2 && g_str_equal (argv[1], "--runs"))
    {
      runs = atoi (argv[2]);
      i = 3;
    }

  while (i < argc && g_str_equal (argv[i], "--") && i + 2 < argc)
    {
      Subject *s = g_new0 (Subject, 1);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      s->name = argv[i + 1];
      for (i += 2; i < argc && !g_str_equal (argv[i], "--"); i++)
        g_strv_builder_add (builder, argv[i]);
      s->argv = g_strv_builder_end (builder);
      s->ms = g_array_new (FALSE, FALSE, sizeof (double));
      g_ptr_array_add (subjects, s);
    }
  if (subjects->len == 0)
    {
      g_printerr ("usage: bench-startup [--runs N] -- NAME COMMAND… [-- NAME COMMAND…]\n");
      return 2;
    }

  /* one warm-up run each: the first start pays for the disk cache */
  for (guint s = 0; s < subjects->len; s++)
    {
      Subject *subject = g_ptr_array_index (subjects, s);
      run_once (subject);
      g_array_set_size (subject->ms, 0);
      subject->max_rss_kib = 0;
    }

  for (int r = 0; r < runs; r++)
    for (guint s = 0; s < subjects->len; s++)
      run_once (g_ptr_array_index (subjects, s));

  {
    Subject *base = g_ptr_array_index (subjects, 0);
    double base_ms = median (base->ms);

    for (guint s = 0; s < subjects->len; s++)
      {
        Subject *subject = g_ptr_array_index (subjects, s);
        double ms = median (subject->ms);

        printf ("%-28s first frame %7.1f ms (median of %u)  peak RSS %6.1f MiB", subject->name,
                ms, subject->ms->len, subject->max_rss_kib / 1024.0);
        if (s > 0)
          printf ("  = %.2f× the time, %+.1f MiB", ms / base_ms,
                  (subject->max_rss_kib - base->max_rss_kib) / 1024.0);
        printf ("\n");
      }
  }
  return 0;
}
