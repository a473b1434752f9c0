/* sy-lesson-view.h — reading a lesson, and counting the time spent on it
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sy-course.h"
#include "sy-learner.h"
#include "sy-store.h"

G_BEGIN_DECLS

#define SY_TYPE_LESSON_VIEW (sy_lesson_view_get_type ())

G_DECLARE_FINAL_TYPE (SyLessonView, sy_lesson_view, SY, LESSON_VIEW, GtkWidget)

/*
 * The view renders the lesson's CommonMark natively and records, through @store:
 * `launched` when shown, `progressed` with the counted time (periodically and when it
 * stops), and `completed` once the end was reached and the item's minimum time passed.
 * Time counts only while the view is mapped, its window active, and the learner not idle
 * for more than 2 minutes.
 *
 * Properties: "text-scale" (double, 1.0–2.0, for older eyes; the window binds it to
 * GSettings "text-scale"), "completed" (boolean, read-only).
 * Signals: "completed" (emitted once, when the completed statement is recorded).
 */
GtkWidget *sy_lesson_view_new            (SyStore      *store,
                                          SyLearner    *learner,
                                          SyCourse     *course,
                                          SyItem       *item);
void       sy_lesson_view_stop           (SyLessonView *self);
double     sy_lesson_view_get_text_scale (SyLessonView *self);
void       sy_lesson_view_set_text_scale (SyLessonView *self,
                                          double        scale);
gboolean   sy_lesson_view_get_completed  (SyLessonView *self);
double     sy_lesson_view_get_counted_seconds (SyLessonView *self);

G_END_DECLS
