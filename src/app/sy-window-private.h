/* sy-window-private.h — what the UI tests may look at
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sy-add-learner-dialog.h"
#include "sy-classroom-view-private.h"
#include "sy-coordinator-view-private.h"
#include "sy-course-card.h"
#include "sy-course-page.h"
#include "sy-learner-chooser.h"
#include "sy-pin-dialog.h"
#include "sy-store.h"
#include "sy-window.h"

G_BEGIN_DECLS

guint         _sy_window_get_n_cards      (SyWindow *self);
SyCourseCard *_sy_window_get_card         (SyWindow *self,
                                           guint     index);
SyCoursePage *_sy_window_get_course_page  (SyWindow *self);
const char   *_sy_window_get_view         (SyWindow *self);
gboolean      _sy_window_is_busy          (SyWindow *self);
const char   *_sy_window_get_last_toast   (SyWindow *self);
void          _sy_window_count_cards      (SyWindow *self,
                                           guint    *n_made,
                                           guint    *n_with_cover);

/* Learners, items and idle time */
SyLearnerChooser       *_sy_window_get_chooser          (SyWindow   *self);
SyLearner              *_sy_window_get_learner          (SyWindow   *self);
GtkWindow              *_sy_window_get_learner_dialog   (SyWindow   *self);
GtkWidget              *_sy_window_get_item_view        (SyWindow   *self);
const SyCourseProgress *_sy_window_get_course_progress  (SyWindow   *self);
void                    _sy_window_pretend_idle         (SyWindow   *self,
                                                         guint       seconds);
void                    _sy_window_save_certificate     (SyWindow   *self,
                                                         const char *path);
char                   *_sy_window_get_certificate_name (SyWindow   *self);
SyClassroomView        *_sy_window_get_classroom_view   (SyWindow   *self);
GtkWindow              *_sy_window_get_present_window   (SyWindow   *self);
SyCoordinatorView      *_sy_window_get_coordinator_view (SyWindow   *self);
GtkWindow              *_sy_window_get_bundle_dialog    (SyWindow   *self);
void                    _sy_window_set_bundle_file      (SyWindow   *self,
                                                         const char *path);

const char  *_sy_learner_chooser_get_view         (SyLearnerChooser *self);
guint        _sy_learner_chooser_get_n_learners   (SyLearnerChooser *self);
GtkWidget   *_sy_learner_chooser_get_tile         (SyLearnerChooser *self,
                                                   const char       *learner_uuid);

GtkEditable *_sy_pin_dialog_get_entry             (SyPinDialog      *self);
const char  *_sy_pin_dialog_get_error             (SyPinDialog      *self);
gboolean     _sy_pin_dialog_is_checking           (SyPinDialog      *self);

void         _sy_add_learner_dialog_fill          (SyAddLearnerDialog *self,
                                                   const char         *name,
                                                   guint               role_index,
                                                   const char         *pin,
                                                   const char         *confirm,
                                                   const char         *external_id);
const char  *_sy_add_learner_dialog_get_error     (SyAddLearnerDialog *self);
const char  *_sy_add_learner_dialog_get_pin_hint  (SyAddLearnerDialog *self);
gboolean     _sy_add_learner_dialog_is_adding     (SyAddLearnerDialog *self);

G_END_DECLS
