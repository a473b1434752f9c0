/* sy-pin-dialog.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store checks the PIN and keeps the count of wrong ones, so a lockout survives a
 * restart; its messages say how many tries are left or how long to wait, and are shown
 * as they are.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <stdlib.h>

#include "sy-pin-dialog.h"
#include "sy-window-private.h"

#define PIN_MIN_DIGITS 4
#define PIN_MAX_DIGITS 8

struct _SyPinDialog
{
  AdwMessageDialog  parent_instance;

  SyStore          *store;
  SyLearner        *learner;
  GCancellable     *cancellable;
  guint             unlock_source;
  guint             close_idle;
  guint             checking : 1;
  guint             locked : 1;
  guint             done : 1;

  GtkPasswordEntry *entry;
  GtkLabel         *error_label;
};

G_DEFINE_FINAL_TYPE (SyPinDialog, sy_pin_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  SIGNAL_ACCEPTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- digits only ---- */

/* PINs are ASCII digits. A Chinese input method types full-width ones (１２３４): they
 * become ASCII; anything else is refused with a bell. */
static void
insert_digits_cb (GtkEditable *editable,
                  const char  *text,
                  int          length,
                  int         *position,
                  gpointer     user_data)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  gboolean changed = FALSE;
  gboolean refused = FALSE;

  if (length < 0)
    length = strlen (text);

  for (const char *p = text; p < text + length; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      int value = g_unichar_digit_value (c);

      if (value >= 0 && value <= 9)
        {
          g_string_append_c (digits, '0' + value);
          changed |= c >= 0x80;
        }
      else
        {
          changed = refused = TRUE;
        }
    }

  if (!changed)
    return;

  g_signal_stop_emission_by_name (editable, "insert-text");
  if (refused)
    gtk_widget_error_bell (GTK_WIDGET (editable));
  if (digits->len > 0)
    {
      g_signal_handlers_block_by_func (editable, insert_digits_cb, user_data);
      gtk_editable_insert_text (editable, digits->str, digits->len, position);
      g_signal_handlers_unblock_by_func (editable, insert_digits_cb, user_data);
    }
}

/**
 * sy_pin_editable_setup:
 * @editable: a #GtkPasswordEntry or an #AdwPasswordEntryRow
 *
 * Makes @editable take a PIN: digits only, at most 8 of them.
 */
void
sy_pin_editable_setup (GtkEditable *editable)
{
  GtkEditable *delegate;

  g_return_if_fail (GTK_IS_EDITABLE (editable));

  delegate = gtk_editable_get_delegate (editable);
  if (delegate == NULL)
    delegate = editable;

  if (GTK_IS_TEXT (delegate))
    {
      gtk_text_set_max_length (GTK_TEXT (delegate), PIN_MAX_DIGITS);
      gtk_text_set_input_purpose (GTK_TEXT (delegate), GTK_INPUT_PURPOSE_PIN);
    }
  g_signal_connect (delegate, "insert-text", G_CALLBACK (insert_digits_cb), NULL);
}

/* ---- the dialog ---- */

static void
update_responses (SyPinDialog *self)
{
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  gboolean can_type = !self->checking && !self->locked;
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (self));

  /* GTK 4.8 keeps a focused entry's cursor blinking when the entry is made insensitive
   * (and warns about it): the focus leaves it first. */
  if (!can_type && focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->entry)))
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->entry), can_type);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "sign-in",
                                           can_type && strlen (pin) >= PIN_MIN_DIGITS);
}

static void
show_error (SyPinDialog *self,
            const char  *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
finish (SyPinDialog *self)
{
  if (self->done)
    return;

  self->done = TRUE;
  g_cancellable_cancel (self->cancellable);
  gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
unlock_cb (gpointer user_data)
{
  SyPinDialog *self = user_data;

  self->unlock_source = 0;
  self->locked = FALSE;
  show_error (self, NULL);
  update_responses (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
  return G_SOURCE_REMOVE;
}

/* The store's message says how long the lock lasts ("… in 42 seconds"); the entry opens
 * again then. If the number cannot be found, after the longest lock there is. */
static guint
lock_seconds (const char *message)
{
  for (const char *p = message; *p; p++)
    if (g_ascii_isdigit (*p))
      return CLAMP (strtoul (p, NULL, 10), 1, SY_PIN_LOCK_SECONDS);
  return SY_PIN_LOCK_SECONDS;
}

static void
check_pin_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SyPinDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sy_store_check_pin_finish (SY_STORE (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->checking = FALSE;

  if (error == NULL)
    {
      g_object_ref (self);
      g_signal_emit (self, signals[SIGNAL_ACCEPTED], 0, self->learner);
      finish (self);
      g_object_unref (self);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  show_error (self, error->message);

  if (g_error_matches (error, SY_STORE_ERROR, SY_STORE_ERROR_LOCKED))
    {
      self->locked = TRUE;
      g_clear_handle_id (&self->unlock_source, g_source_remove);
      self->unlock_source = g_timeout_add_seconds (lock_seconds (error->message), unlock_cb, self);
    }

  update_responses (self);
  if (!self->locked)
    gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

static void
check_pin (SyPinDialog *self)
{
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->entry));

  if (self->checking || self->locked || strlen (pin) < PIN_MIN_DIGITS)
    return;

  self->checking = TRUE;
  update_responses (self);
  sy_store_check_pin_async (self->store, sy_learner_get_uuid (self->learner), pin,
                            self->cancellable, check_pin_cb, g_object_ref (self));
}

static void
entry_activate_cb (SyPinDialog *self)
{
  check_pin (self);
}

static void
entry_changed_cb (SyPinDialog *self)
{
  update_responses (self);
}

static gboolean
close_without_response_cb (gpointer user_data)
{
  SyPinDialog *self = user_data;

  self->close_idle = 0;
  finish (self);
  return G_SOURCE_REMOVE;
}

/* A response button closes an AdwMessageDialog before it emits its response, and "Sign
 * In" must keep the dialog open while the PIN is checked and when it is wrong. So closing
 * waits: a response that follows at once decides; none (Escape, the window manager) is
 * a cancel. */
static gboolean
sy_pin_dialog_close_request (GtkWindow *window)
{
  SyPinDialog *self = SY_PIN_DIALOG (window);

  if (self->done)
    return GTK_WINDOW_CLASS (sy_pin_dialog_parent_class)->close_request (window);

  if (self->close_idle == 0)
    self->close_idle = g_idle_add_full (G_PRIORITY_HIGH, close_without_response_cb, self, NULL);
  return TRUE;
}

static void
sy_pin_dialog_response (AdwMessageDialog *dialog,
                        const char       *response)
{
  SyPinDialog *self = SY_PIN_DIALOG (dialog);

  g_clear_handle_id (&self->close_idle, g_source_remove);

  if (self->done)
    return;

  if (g_strcmp0 (response, "sign-in") == 0)
    check_pin (self);
  else
    finish (self);
}

static void
sy_pin_dialog_dispose (GObject *object)
{
  SyPinDialog *self = (SyPinDialog *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->unlock_source, g_source_remove);
  g_clear_handle_id (&self->close_idle, g_source_remove);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->learner);

  G_OBJECT_CLASS (sy_pin_dialog_parent_class)->dispose (object);
}

static void
sy_pin_dialog_class_init (SyPinDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->dispose = sy_pin_dialog_dispose;
  window_class->close_request = sy_pin_dialog_close_request;
  dialog_class->response = sy_pin_dialog_response;

  /**
   * SyPinDialog::accepted:
   * @learner: the learner whose PIN was typed
   *
   * The PIN was right; the dialog closes after this.
   */
  signals[SIGNAL_ACCEPTED] =
    g_signal_new ("accepted",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SY_TYPE_LEARNER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shuyuan/Shuyuan/sy-pin-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SyPinDialog, entry);
  gtk_widget_class_bind_template_child (widget_class, SyPinDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
}

static void
sy_pin_dialog_init (SyPinDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  sy_pin_editable_setup (GTK_EDITABLE (self->entry));
  update_responses (self);
}

/**
 * sy_pin_dialog_new:
 * @parent: the window the dialog is modal for
 * @learner: a learner with a PIN
 *
 * Returns: (transfer none): a new dialog, not shown yet; it destroys itself when done
 */
SyPinDialog *
sy_pin_dialog_new (GtkWindow *parent,
                   SyStore   *store,
                   SyLearner *learner)
{
  SyPinDialog *self;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SY_IS_STORE (store), NULL);
  g_return_val_if_fail (SY_IS_LEARNER (learner), NULL);

  self = g_object_new (SY_TYPE_PIN_DIALOG,
                       "transient-for", parent,
                       "heading", sy_learner_get_name (learner),
                       NULL);
  self->store = g_object_ref (store);
  self->learner = g_object_ref (learner);
  return self;
}

SyLearner *
sy_pin_dialog_get_learner (SyPinDialog *self)
{
  g_return_val_if_fail (SY_IS_PIN_DIALOG (self), NULL);

  return self->learner;
}

/* ---- for the tests ---- */

GtkEditable *
_sy_pin_dialog_get_entry (SyPinDialog *self)
{
  g_return_val_if_fail (SY_IS_PIN_DIALOG (self), NULL);

  return GTK_EDITABLE (self->entry);
}

/* Returns: (nullable): the error shown under the entry */
const char *
_sy_pin_dialog_get_error (SyPinDialog *self)
{
  g_return_val_if_fail (SY_IS_PIN_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_label (self->error_label);
}

gboolean
_sy_pin_dialog_is_checking (SyPinDialog *self)
{
  g_return_val_if_fail (SY_IS_PIN_DIALOG (self), FALSE);

  return self->checking;
}
