/* sy-add-learner-dialog.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The dialog checks only what it can see at once (a name, two PINs that match); the
 * store decides the rest and its messages are shown as they are.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sy-add-learner-dialog.h"
#include "sy-pin-dialog.h"
#include "sy-window-private.h"

#define PIN_MIN_DIGITS 4

struct _SyAddLearnerDialog
{
  AdwWindow             parent_instance;

  SyStore              *store;
  GCancellable         *cancellable;
  char                 *store_error;
  guint                 adding : 1;

  GtkWidget            *form;
  GtkSpinner           *spinner;
  GtkLabel             *error_label;
  AdwEntryRow          *name_row;
  AdwComboRow          *role_row;
  AdwPreferencesGroup  *pin_group;
  AdwEntryRow          *pin_row;
  AdwEntryRow          *confirm_row;
  AdwEntryRow          *external_row;
};

G_DEFINE_FINAL_TYPE (SyAddLearnerDialog, sy_add_learner_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_LEARNER_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The rows of the role combo, in order */
static const SyRole roles[] = { SY_ROLE_LEARNER, SY_ROLE_TEACHER, SY_ROLE_COORDINATOR };

static SyRole
get_role (SyAddLearnerDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->role_row);

  return selected < G_N_ELEMENTS (roles) ? roles[selected] : SY_ROLE_LEARNER;
}

static char *
get_name (SyAddLearnerDialog *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
}

static gboolean
pins_differ (SyAddLearnerDialog *self)
{
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->pin_row));
  const char *confirm = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));

  return g_strcmp0 (pin, confirm) != 0;
}

/* What is wrong with the form that the user should be told now; %NULL when nothing is, or
 * when it is only unfinished. */
static const char *
visible_problem (SyAddLearnerDialog *self)
{
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->pin_row));
  const char *confirm = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));

  if (self->store_error != NULL)
    return self->store_error;
  /* Only once the second PIN is as long as the first: not while it is being typed. */
  if (confirm[0] != '\0' && strlen (confirm) >= strlen (pin) && pins_differ (self))
    return _("The two PINs are different.");
  return NULL;
}

static void
update_actions (SyAddLearnerDialog *self)
{
  g_autofree char *name = get_name (self);
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->pin_row));
  gboolean needs_pin = get_role (self) != SY_ROLE_LEARNER;
  gboolean pin_ok;
  const char *problem = visible_problem (self);

  if (pin[0] == '\0')
    pin_ok = !needs_pin && !pins_differ (self);
  else
    pin_ok = strlen (pin) >= PIN_MIN_DIGITS && !pins_differ (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.add",
                                 !self->adding && name[0] != '\0' && pin_ok);

  adw_preferences_group_set_description (self->pin_group,
                                         needs_pin
                                         ? _("Teachers and coordinators need a PIN of 4 to 8 digits: they can see other people’s records.")
                                         : _("Optional: 4 to 8 digits that keep others on this computer out of your records."));

  gtk_label_set_label (self->error_label, problem);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), problem != NULL);

  if (problem != NULL && self->store_error == NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->confirm_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->confirm_row), "error");
}

static void
form_changed_cb (SyAddLearnerDialog *self)
{
  g_clear_pointer (&self->store_error, g_free);
  update_actions (self);
}

static void
set_adding (SyAddLearnerDialog *self,
            gboolean            adding)
{
  self->adding = adding;
  /* GTK 4.8 keeps a focused entry's cursor blinking when it is made insensitive (and
   * warns about it): the focus leaves the form first. */
  if (adding)
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_widget_set_sensitive (self->form, !adding);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), adding);
  if (adding)
    gtk_spinner_start (self->spinner);
  else
    gtk_spinner_stop (self->spinner);
  update_actions (self);
}

static void
add_learner_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SyAddLearnerDialog) self = user_data;
  g_autoptr(SyLearner) learner = NULL;
  g_autoptr(GError) error = NULL;

  learner = sy_store_add_learner_finish (SY_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (learner == NULL)
    {
      g_free (self->store_error);
      self->store_error = g_strdup (error->message);
      set_adding (self, FALSE);
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return;
    }

  g_signal_emit (self, signals[SIGNAL_LEARNER_ADDED], 0, learner);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  SyAddLearnerDialog *self = SY_ADD_LEARNER_DIALOG (widget);
  g_autofree char *name = get_name (self);
  g_autofree char *external_id = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->external_row))));
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->pin_row));

  if (self->adding)
    return;

  set_adding (self, TRUE);
  sy_store_add_learner_full_async (self->store, name, get_role (self),
                                   pin[0] != '\0' ? pin : NULL,
                                   external_id[0] != '\0' ? external_id : NULL,
                                   self->cancellable, add_learner_cb, g_object_ref (self));
}

/* Enter in a row goes on to the next one that needs filling, and adds from the last. */
static void
entry_activated_cb (SyAddLearnerDialog *self,
                    AdwEntryRow        *row)
{
  if (row == self->name_row && get_role (self) == SY_ROLE_LEARNER &&
      gtk_widget_is_sensitive (GTK_WIDGET (self)) &&
      gtk_editable_get_text (GTK_EDITABLE (self->pin_row))[0] == '\0')
    gtk_widget_activate_action (GTK_WIDGET (self), "dialog.add", NULL);
  else if (row == self->pin_row)
    gtk_widget_grab_focus (GTK_WIDGET (self->confirm_row));
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "dialog.add", NULL);
}

static void
sy_add_learner_dialog_dispose (GObject *object)
{
  SyAddLearnerDialog *self = (SyAddLearnerDialog *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sy_add_learner_dialog_parent_class)->dispose (object);
}

static void
sy_add_learner_dialog_finalize (GObject *object)
{
  SyAddLearnerDialog *self = (SyAddLearnerDialog *) object;

  g_free (self->store_error);

  G_OBJECT_CLASS (sy_add_learner_dialog_parent_class)->finalize (object);
}

static void
sy_add_learner_dialog_class_init (SyAddLearnerDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sy_add_learner_dialog_dispose;
  object_class->finalize = sy_add_learner_dialog_finalize;

  /**
   * SyAddLearnerDialog::learner-added:
   * @learner: the new learner
   *
   * The store added the learner; the dialog closes after this.
   */
  signals[SIGNAL_LEARNER_ADDED] =
    g_signal_new ("learner-added",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SY_TYPE_LEARNER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shuyuan/Shuyuan/sy-add-learner-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SyAddLearnerDialog, form);
  gtk_widget_class_bind_template_child (widget_class, SyAddLearnerDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, SyAddLearnerDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, SyAddLearnerDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, SyAddLearnerDialog, role_row);
  gtk_widget_class_bind_template_child (widget_class, SyAddLearnerDialog, pin_group);
  gtk_widget_class_bind_template_child (widget_class, SyAddLearnerDialog, pin_row);
  gtk_widget_class_bind_template_child (widget_class, SyAddLearnerDialog, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, SyAddLearnerDialog, external_row);
  gtk_widget_class_bind_template_callback (widget_class, form_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);

  gtk_widget_class_install_action (widget_class, "dialog.add", NULL, add_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sy_add_learner_dialog_init (SyAddLearnerDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  sy_pin_editable_setup (GTK_EDITABLE (self->pin_row));
  sy_pin_editable_setup (GTK_EDITABLE (self->confirm_row));
  update_actions (self);
}

/**
 * sy_add_learner_dialog_new:
 * @parent: the window the dialog is modal for
 *
 * Returns: (transfer none): a new dialog, not shown yet; it destroys itself when done
 */
SyAddLearnerDialog *
sy_add_learner_dialog_new (GtkWindow *parent,
                           SyStore   *store)
{
  SyAddLearnerDialog *self;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SY_IS_STORE (store), NULL);

  self = g_object_new (SY_TYPE_ADD_LEARNER_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);
  return self;
}

/* ---- for the tests ---- */

/**
 * _sy_add_learner_dialog_fill:
 * @role_index: 0 learner, 1 teacher, 2 coordinator
 *
 * Types into the rows as a user would.
 */
void
_sy_add_learner_dialog_fill (SyAddLearnerDialog *self,
                             const char         *name,
                             guint               role_index,
                             const char         *pin,
                             const char         *confirm,
                             const char         *external_id)
{
  g_return_if_fail (SY_IS_ADD_LEARNER_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name ? name : "");
  adw_combo_row_set_selected (self->role_row, role_index);
  gtk_editable_set_text (GTK_EDITABLE (self->pin_row), pin ? pin : "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), confirm ? confirm : "");
  gtk_editable_set_text (GTK_EDITABLE (self->external_row), external_id ? external_id : "");
}

/* Returns: (nullable): the problem shown in the dialog */
const char *
_sy_add_learner_dialog_get_error (SyAddLearnerDialog *self)
{
  g_return_val_if_fail (SY_IS_ADD_LEARNER_DIALOG (self), NULL);

  return visible_problem (self);
}

gboolean
_sy_add_learner_dialog_is_adding (SyAddLearnerDialog *self)
{
  g_return_val_if_fail (SY_IS_ADD_LEARNER_DIALOG (self), FALSE);

  return self->adding;
}

const char *
_sy_add_learner_dialog_get_pin_hint (SyAddLearnerDialog *self)
{
  g_return_val_if_fail (SY_IS_ADD_LEARNER_DIALOG (self), NULL);

  return adw_preferences_group_get_description (self->pin_group);
}
