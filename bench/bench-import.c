/* bench-import.c — generates course packages and measures importing them
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-import [--courses N] [--items M] [--keep DATA_DIR]
 *
 * Writes N courses of M items each (lessons with an image, and a quiz every fifth item),
 * imports them all into a fresh store through the same API the app uses, and prints the
 * time. With --keep the store is left in DATA_DIR (the startup benchmark uses it).
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "sy-store.h"
#include "sy-util.h"

#define SVG "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"270\" " \
            "viewBox=\"0 0 480 270\"><rect width=\"480\" height=\"270\" fill=\"#9bd\"/>" \
            "<circle cx=\"240\" cy=\"135\" r=\"80\" fill=\"#fff\"/></svg>\n"

#define QUIZ "{\"questions\": [{\"id\": \"q\", \"type\": \"true-false\", " \
             "\"prompt\": {\"zh_CN\": \"对吗？\", \"en\": \"True?\"}, \"answer\": true}]}\n"

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_mkdir_with_parents (parent, 0755);
  if (!g_file_set_contents (path, contents, -1, NULL))
    g_error ("Could not write %s", path);
}

static void
generate_course (const char *dir,
                 guint       index,
                 guint       n_items)
{
  static const char * const programmes[] = { "village-doctor", "coding-for-kids", "retail" };
  GString *json = g_string_new (NULL);
  guint per_module = 10;

  g_string_append_printf (json,
    "{\"format\": 1, \"id\": \"bench-%04u\", \"version\": 1, \"programme\": \"%s\",\n"
    " \"title\": {\"zh_CN\": \"基准课程 %u\", \"en\": \"Benchmark course %u\"},\n"
    " \"description\": {\"zh_CN\": \"用于测量的课程。\", \"en\": \"A course for measuring.\"},\n"
    " \"languages\": [\"zh_CN\", \"en\"], \"class_hours\": %u, \"cover\": \"media/cover.svg\",\n"
    " \"modules\": [",
    index, programmes[index % 3], index, index, 1 + index % 10);

  for (guint m = 0; m * per_module < n_items; m++)
    {
      g_string_append_printf (json, "%s\n  {\"id\": \"m%u\", \"title\": {\"zh_CN\": \"单元 %u\", "
                                    "\"en\": \"Unit %u\"}, \"items\": [",
                              m ? "," : "", m, m + 1, m + 1);
      for (guint i = m * per_module; i < MIN (n_items, (m + 1) * per_module); i++)
        {
          const char *sep = i % per_module ? "," : "";

          if (i % 5 == 4)
            {
              g_string_append_printf (json, "%s\n    {\"id\": \"quiz-%u\", \"type\": \"quiz\", "
                                            "\"title\": {\"zh_CN\": \"测验 %u\", \"en\": \"Quiz %u\"}, "
                                            "\"file\": \"quizzes/q%u.json\"}", sep, i, i, i, i);
              {
                g_autofree char *name = g_strdup_printf ("quizzes/q%u.json", i);
                write_file (dir, name, QUIZ);
              }
            }
          else
            {
              g_autofree char *zh = g_strdup_printf ("lessons/l%u.zh_CN.md", i);
              g_autofree char *en = g_strdup_printf ("lessons/l%u.en.md", i);
              g_autofree char *zh_text = g_strdup_printf ("# 第 %u 课\n\n这是一段课文。**重点**在这里。\n\n"
                                                          "![图](../media/cover.svg)\n\n- 一\n- 二\n", i);
              g_autofree char *en_text = g_strdup_printf ("# Lesson %u\n\nSome text. The **point** "
                                                          "is here.\n\n![Picture](../media/cover.svg)\n\n"
                                                          "- one\n- two\n", i);

              write_file (dir, zh, zh_text);
              write_file (dir, en, en_text);
              g_string_append_printf (json, "%s\n    {\"id\": \"lesson-%u\", \"type\": \"lesson\", "
                                            "\"title\": {\"zh_CN\": \"第 %u 课\", \"en\": \"Lesson %u\"}, "
                                            "\"file\": {\"zh_CN\": \"%s\", \"en\": \"%s\"}, \"minutes\": 10}",
                                      sep, i, i, i, zh, en);
            }
        }
      g_string_append (json, "]}");
    }
  g_string_append (json, "]}\n");

  write_file (dir, "course.json", json->str);
  write_file (dir, "media/cover.svg", SVG);
  g_string_free (json, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  int n_courses = 200, n_items = 50;
  g_autofree char *keep = NULL;
  GOptionEntry entries[] = {
    { "courses", 0, 0, G_OPTION_ARG_INT, &n_courses, "Number of courses", "N" },
    { "items", 0, 0, G_OPTION_ARG_INT, &n_items, "Items per course", "M" },
    { "keep", 0, 0, G_OPTION_ARG_FILENAME, &keep, "Leave the store in DIR", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— course import benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(SyStore) store = NULL;
  g_autofree char *work = NULL;
  g_autofree char *packages = NULL;
  g_autofree char *data_dir = NULL;
  gint64 start, gen_us, import_us;
  double seconds;

  setlocale (LC_ALL, "");
  sy_core_init ();
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  work = g_dir_make_tmp ("shuyuan-bench-XXXXXX", &error);
  g_assert_no_error (error);
  packages = g_build_filename (work, "packages", NULL);
  data_dir = keep ? g_strdup (keep) : g_build_filename (work, "data", NULL);

  start = g_get_monotonic_time ();
  for (int i = 0; i < n_courses; i++)
    {
      g_autofree char *name = g_strdup_printf ("course-%04d", i);
      g_autofree char *dir = g_build_filename (packages, name, NULL);
      generate_course (dir, i, n_items);
    }
  gen_us = g_get_monotonic_time () - start;

  store = sy_store_new (data_dir);
  if (!sy_store_open (store, NULL, &error))
    g_error ("%s", error->message);

  start = g_get_monotonic_time ();
  for (int i = 0; i < n_courses; i++)
    {
      g_autofree char *name = g_strdup_printf ("course-%04d", i);
      g_autofree char *dir = g_build_filename (packages, name, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (dir);
      g_autoptr(SyCourse) course = sy_store_import (store, file, NULL, NULL, &error);

      if (course == NULL)
        g_error ("%s: %s", dir, error->message);
    }
  import_us = g_get_monotonic_time () - start;
  seconds = import_us / 1e6;

  g_print ("generate   %d courses × %d items: %.2f s\n", n_courses, n_items, gen_us / 1e6);
  g_print ("import     %d courses × %d items: %.2f s, %.1f courses/s, %.1f items/s, %.1f ms/course\n",
           n_courses, n_items, seconds, n_courses / seconds, n_courses * n_items / seconds,
           1000 * seconds / n_courses);

  g_clear_object (&store);
  sy_rm_rf (work, NULL);
  return 0;
}
