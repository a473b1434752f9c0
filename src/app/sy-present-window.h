/* sy-present-window.h — a lesson or a quiz full-screen, for a projector
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sy-course.h"
#include "sy-learner.h"
#include "sy-quiz.h"
#include "sy-store.h"

G_BEGIN_DECLS

#define SY_TYPE_PRESENT_WINDOW (sy_present_window_get_type ())

G_DECLARE_FINAL_TYPE (SyPresentWindow, sy_present_window, SY, PRESENT_WINDOW, AdwWindow)

SyPresentWindow *sy_present_window_new     (GtkWindow  *parent,
                                            SyStore    *store,
                                            SyLearner  *teacher,
                                            SyCourse   *course,
                                            SyItem     *item);
GtkWidget       *sy_present_question_new   (SyQuestion *question,
                                            guint       index,
                                            guint       n_questions);
guint            sy_present_question_get_n_choices (SyQuestion *question);
char            *sy_present_question_get_response  (SyQuestion *question,
                                                    guint       choice);

/* for the tests */
int              _sy_present_window_get_position (SyPresentWindow *self);
gboolean         _sy_present_window_is_quiz      (SyPresentWindow *self);

G_END_DECLS
