/* sy-course.h — an installed (or about to be installed) course
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sy-text.h"
#include "sy-types.h"

G_BEGIN_DECLS

/**
 * SyItem:
 * @id: the item id, unique within the course
 * @module_id: the id of the module it belongs to
 * @type: lesson, quiz, survey or puzzle
 * @title: its title
 * @file: the path of its file inside the package, localized for lessons
 * @minutes: lessons: the minimum reading time
 * @pass_score: quizzes: the pass mark (0–1), already defaulted from the course
 * @max_attempts: quizzes: the attempt limit, 0 for none
 * @feedback_at_end: quizzes: feedback at the end rather than after each answer
 * @status: the current learner's status, %SY_STATUS_NOT_STARTED when there is none
 *
 * Items and modules belong to their #SyCourse and live as long as it does.
 */
struct _SyItem
{
  char       *id;
  char       *module_id;
  SyItemType  type;
  SyText     *title;
  SyText     *file;
  double      minutes;
  double      pass_score;
  int         max_attempts;
  gboolean    feedback_at_end;
  SyStatus    status;
};

/**
 * SyModule:
 * @id: the module id
 * @title: its title
 * @items: (element-type SyItem): its items, in order
 */
struct _SyModule
{
  char      *id;
  SyText    *title;
  GPtrArray *items;
};

#define SY_TYPE_COURSE (sy_course_get_type ())

G_DECLARE_FINAL_TYPE (SyCourse, sy_course, SY, COURSE, GObject)

const char          *sy_course_get_id             (SyCourse   *self);
gint64               sy_course_get_version        (SyCourse   *self);
const char          *sy_course_get_programme      (SyCourse   *self);
SyText              *sy_course_get_title          (SyCourse   *self);
SyText              *sy_course_get_description    (SyCourse   *self);
const char * const  *sy_course_get_languages      (SyCourse   *self);
double               sy_course_get_class_hours    (SyCourse   *self);
double               sy_course_get_credits        (SyCourse   *self);
double               sy_course_get_pass_score     (SyCourse   *self);
const char          *sy_course_get_content_dir    (SyCourse   *self);
char                *sy_course_get_cover_path     (SyCourse   *self);
const char          *sy_course_get_sha256         (SyCourse   *self);
GPtrArray           *sy_course_get_modules        (SyCourse   *self);
guint                sy_course_get_n_items        (SyCourse   *self);
guint                sy_course_get_n_done         (SyCourse   *self);
double               sy_course_get_progress       (SyCourse   *self);
SyItem              *sy_course_find_item          (SyCourse   *self,
                                                   const char *item_id);
char                *sy_course_to_json            (SyCourse   *self,
                                                   gboolean    with_items);

G_END_DECLS
