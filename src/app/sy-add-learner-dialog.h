/* sy-add-learner-dialog.h — a new profile on this PC
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sy-store.h"

G_BEGIN_DECLS

#define SY_TYPE_ADD_LEARNER_DIALOG (sy_add_learner_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SyAddLearnerDialog, sy_add_learner_dialog, SY, ADD_LEARNER_DIALOG, AdwWindow)

SyAddLearnerDialog *sy_add_learner_dialog_new (GtkWindow *parent,
                                               SyStore   *store);

G_END_DECLS
