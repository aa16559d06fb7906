package glacier

import (
	"context"
	"errors"
	"slices"
)

// queueNotifications stores the completion messages of j: one to the job's
// own topic and one to the vault's topic when its configuration asks for
// the event (spec 4.2, 5.4). Both are sent even when they name one topic.
func (s *Service) queueNotifications(tx Tx, ref VaultRef, j *Job) error {
	var topics []string
	if j.SNSTopic != "" {
		topics = append(topics, j.SNSTopic)
	}
	v, err := loadVault(tx, ref)
	if err != nil {
		return err
	}
	event := EventArchiveRetrievalCompleted
	if j.Action == ActionInventoryRetrieval {
		event = EventInventoryRetrievalCompleted
	}
	if n := v.Notifications; n != nil && slices.Contains(n.Events, event) {
		topics = append(topics, n.Topic)
	}
	if len(topics) == 0 || s.renderJob == nil {
		return nil
	}
	msg, err := s.renderJob(j.info(ref))
	if err != nil {
		return err
	}
	now := s.clock.Now()
	for _, t := range topics {
		n := &Notification{ID: timeID(now, 32), Topic: t, Account: ref.Account, Message: string(msg), Time: now}
		if err := tx.PutNotification(n); err != nil {
			return err
		}
	}
	return nil
}

// NotificationsKept is how many completion messages are kept, newest
// first; the janitor drops older ones.
const NotificationsKept = 10_000

// TrimNotifications drops all but the newest NotificationsKept messages,
// delivered or not, and returns how many it dropped.
func (s *Service) TrimNotifications(ctx context.Context) (int, error) {
	var n int
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		n, err = tx.TrimNotifications(NotificationsKept)
		return err
	})
	return n, err
}

// Notifications returns every kept completion message, oldest first.
func (s *Service) Notifications(ctx context.Context) ([]Notification, error) {
	var out []Notification
	err := s.store.View(ctx, func(tx Tx) error {
		ns, err := tx.Notifications()
		for _, n := range ns {
			out = append(out, *n)
		}
		return err
	})
	return out, err
}

// PendingNotifications returns the messages not yet delivered, oldest
// first.
func (s *Service) PendingNotifications(ctx context.Context) ([]Notification, error) {
	var out []Notification
	err := s.store.View(ctx, func(tx Tx) error {
		ns, err := tx.PendingNotifications()
		for _, n := range ns {
			out = append(out, *n)
		}
		return err
	})
	return out, err
}

// RecordDelivery notes the outcome of one attempt to publish notification
// id; deliverErr nil means it was delivered.
func (s *Service) RecordDelivery(ctx context.Context, id string, deliverErr error) error {
	return s.store.Update(ctx, func(tx Tx) error {
		n, err := tx.Notification(id)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		n.Attempts++
		n.Delivered = deliverErr == nil
		n.LastError = ""
		if deliverErr != nil {
			n.LastError = deliverErr.Error()
		}
		return tx.PutNotification(n)
	})
}
