/* sy-pin-dialog.h — asks for a learner's PIN before signing them in
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sy-learner.h"
#include "sy-store.h"

G_BEGIN_DECLS

#define SY_TYPE_PIN_DIALOG (sy_pin_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SyPinDialog, sy_pin_dialog, SY, PIN_DIALOG, AdwMessageDialog)

SyPinDialog *sy_pin_dialog_new          (GtkWindow   *parent,
                                         SyStore     *store,
                                         SyLearner   *learner);
SyLearner   *sy_pin_dialog_get_learner  (SyPinDialog *self);

void         sy_pin_editable_setup      (GtkEditable *editable);

G_END_DECLS
