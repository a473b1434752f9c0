/* sy-course-page.h — one course: its description, modules and items
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sy-course.h"
#include "sy-store.h"

G_BEGIN_DECLS

#define SY_TYPE_COURSE_PAGE (sy_course_page_get_type ())

G_DECLARE_FINAL_TYPE (SyCoursePage, sy_course_page, SY, COURSE_PAGE, AdwBin)

GtkWidget *sy_course_page_new          (void);
SyCourse  *sy_course_page_get_course   (SyCoursePage *self);
void       sy_course_page_set_course   (SyCoursePage *self,
                                        SyCourse     *course);
void       sy_course_page_set_item_filter (SyCoursePage       *self,
                                           const char * const *item_ids);
gboolean   sy_course_page_get_loading  (SyCoursePage *self);
void       sy_course_page_set_loading  (SyCoursePage *self,
                                        gboolean      loading);
void       sy_course_page_show_error   (SyCoursePage *self,
                                        const char   *message);
void       sy_course_page_set_progress (SyCoursePage           *self,
                                        const SyCourseProgress *progress);
void       sy_course_page_focus_item   (SyCoursePage *self,
                                        const char   *item_id);

G_END_DECLS
