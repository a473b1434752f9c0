/* sy-course-private.h — what the package reader and the store fill in
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sy-course.h"

G_BEGIN_DECLS

struct _SyCourse
{
  GObject     parent_instance;

  char       *id;
  gint64      version;
  char       *programme;
  SyText     *title;
  SyText     *description;
  GStrv       languages;
  double      class_hours;
  double      credits;
  double      pass_score;
  char       *cover;        /* relative to content_dir */
  char       *content_dir;
  char       *sha256;
  GPtrArray  *modules;      /* SyModule */

  /* Without modules loaded (a library listing) these come from the store. */
  guint       n_items;
  guint       n_done;
};

SyCourse *_sy_course_new       (void);
SyModule *_sy_module_new       (const char *id,
                                SyText     *title);
SyItem   *_sy_item_new         (void);
void      _sy_item_free        (SyItem     *item);
void      _sy_module_free      (SyModule   *module);

G_END_DECLS
