/* sy-course-card.h — a course in the library grid
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sy-course.h"

G_BEGIN_DECLS

#define SY_TYPE_COURSE_CARD (sy_course_card_get_type ())

G_DECLARE_FINAL_TYPE (SyCourseCard, sy_course_card, SY, COURSE_CARD, GtkWidget)

GtkWidget *sy_course_card_new         (void);
SyCourse  *sy_course_card_get_course  (SyCourseCard *self);
void       sy_course_card_set_course  (SyCourseCard *self,
                                       SyCourse     *course);
void       sy_course_card_load_cover  (SyCourseCard *self);
gboolean   sy_course_card_has_cover   (SyCourseCard *self);

G_END_DECLS
