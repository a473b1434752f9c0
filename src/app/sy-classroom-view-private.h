/* sy-classroom-view-private.h — what the UI tests may look at
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sy-classroom-view.h"

G_BEGIN_DECLS

const char  *_sy_classroom_view_get_page             (SyClassroomView *self);
gboolean     _sy_classroom_view_is_busy              (SyClassroomView *self);
const char  *_sy_classroom_view_get_last_toast       (SyClassroomView *self);
GtkWindow   *_sy_classroom_view_get_dialog           (SyClassroomView *self);
GtkEditable *_sy_classroom_view_get_dialog_entry     (SyClassroomView *self);
GtkTextView *_sy_classroom_view_get_dialog_text      (SyClassroomView *self);
GtkListBox  *_sy_classroom_view_get_dialog_list      (SyClassroomView *self);
GtkWidget   *_sy_classroom_view_get_dialog_button    (SyClassroomView *self);
const char  *_sy_classroom_view_get_dialog_error     (SyClassroomView *self);
GtkListBox  *_sy_classroom_view_get_classes_list     (SyClassroomView *self);
guint        _sy_classroom_view_get_n_pupils         (SyClassroomView *self);
GtkFlowBox  *_sy_classroom_view_get_attendance_box   (SyClassroomView *self);
const char  *_sy_classroom_view_get_attendance_count (SyClassroomView *self);
const char  *_sy_classroom_view_get_session          (SyClassroomView *self);
guint        _sy_classroom_view_get_quiz_pupil       (SyClassroomView *self);
guint        _sy_classroom_view_get_quiz_question    (SyClassroomView *self);
guint        _sy_classroom_view_get_n_pending        (SyClassroomView *self);
GtkEditable *_sy_classroom_view_get_answer_entry     (SyClassroomView *self);
guint        _sy_classroom_view_get_n_results        (SyClassroomView *self);
gboolean     _sy_classroom_view_has_report           (SyClassroomView *self);
void         _sy_classroom_view_save_report          (SyClassroomView *self,
                                                      const char      *path);

G_END_DECLS
