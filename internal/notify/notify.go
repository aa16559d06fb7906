// Package notify delivers job-completion notifications to an SNS-compatible
// endpoint with the real SNS Publish call, retrying failures with backoff.
// The messages themselves are kept by the domain (the notification log);
// this package only moves them.
package notify

import (
	"context"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"permafrost/internal/glacier"
)

// Source is where pending notifications come from and where outcomes go.
type Source interface {
	PendingNotifications(ctx context.Context) ([]glacier.Notification, error)
	RecordDelivery(ctx context.Context, id string, err error) error
	// ClaimLease takes or renews a lease for ttl (see glacier.Lease) and
	// reports whether this process holds it.
	ClaimLease(ctx context.Context, name string, ttl time.Duration) (bool, error)
}

// OutboxLease names the lease on the notification outbox: of all the
// processes over one store, only its holder delivers, so each message is
// published once (and, if its holder dies between publishing a message and
// recording it, at most once more, by the process that takes over once
// the lease, glacier.OutboxLease, has expired).
const OutboxLease = "notification-outbox"

// Publisher publishes one message to one topic.
type Publisher interface {
	Publish(ctx context.Context, topic, message string) error
}

// SNS publishes with the AWS SDK's SNS client to a custom endpoint.
type SNS struct {
	endpoint string
	mu       sync.Mutex
	clients  map[string]*sns.Client // by region
}

// NewSNS returns a publisher to the SNS-compatible service at endpoint.
func NewSNS(endpoint string) *SNS { return &SNS{endpoint: endpoint, clients: map[string]*sns.Client{}} }

// Publish implements Publisher. The client's region is the topic's.
func (p *SNS) Publish(ctx context.Context, topic, message string) error {
	region := "us-east-1"
	if f := strings.Split(topic, ":"); len(f) == 6 {
		region = f[3]
	}
	p.mu.Lock()
	c, ok := p.clients[region]
	if !ok {
		c = sns.New(sns.Options{
			Region:       region,
			BaseEndpoint: aws.String(p.endpoint),
			Credentials:  credentials.NewStaticCredentialsProvider("permafrost", "permafrost", ""),
			Retryer:      aws.NopRetryer{},
		})
		p.clients[region] = c
	}
	p.mu.Unlock()
	_, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(message)})
	return err
}

// Deliverer sends pending notifications, backing off after failures.
type Deliverer struct {
	src   Source
	pub   Publisher
	now   func() time.Time
	retry map[string]time.Time // next attempt of failed notifications
	lease time.Duration        // of the outbox: glacier.OutboxLease
	// OnPublish, when set, is told the outcome of each publish attempt
	// (metrics).
	OnPublish func(err error)
}

// NewDeliverer returns a deliverer; now is the real time (backoff is not
// subject to the emulated clock).
func NewDeliverer(src Source, pub Publisher) *Deliverer {
	return &Deliverer{src: src, pub: pub, now: time.Now, retry: map[string]time.Time{}, lease: glacier.OutboxLease}
}

// MaxBackoff caps the wait between attempts.
const MaxBackoff = 5 * time.Minute

func backoff(attempts int) time.Duration {
	d := time.Second << min(attempts, 16)
	return min(d, MaxBackoff)
}

// Deliver attempts every pending notification that is not backing off and
// reports whether any remain pending.
//
// It delivers only while this process holds the outbox's lease
// (OutboxLease), taken or renewed at the start of each round that finds
// messages pending, and again
// before each message once a third of the lease has passed; a process
// that does not hold it returns at once, reporting nothing pending.
func (d *Deliverer) Deliver(ctx context.Context) (pending bool, err error) {
	ns, err := d.src.PendingNotifications(ctx)
	if err != nil || len(ns) == 0 {
		d.forgetGone(ns)
		return false, err
	}
	if held, err := d.src.ClaimLease(ctx, OutboxLease, d.lease); err != nil || !held {
		return false, err
	}
	renewed := time.Now()
	d.forgetGone(ns)
	now := d.now()
	for _, n := range ns {
		if t, ok := d.retry[n.ID]; ok && now.Before(t) {
			pending = true
			continue
		}
		if time.Since(renewed) > d.lease/3 {
			if held, err := d.src.ClaimLease(ctx, OutboxLease, d.lease); err != nil || !held {
				return true, err
			}
			renewed = time.Now()
		}
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		perr := d.pub.Publish(pctx, n.Topic, n.Message)
		cancel()
		if d.OnPublish != nil {
			d.OnPublish(perr)
		}
		if err := d.src.RecordDelivery(ctx, n.ID, perr); err != nil {
			return true, err
		}
		if perr != nil {
			d.retry[n.ID] = now.Add(backoff(n.Attempts))
			pending = true
		} else {
			delete(d.retry, n.ID)
		}
	}
	return pending, nil
}

// forgetGone drops the backoff of notifications that are no longer pending
// without having been delivered here: the log keeps only the newest
// messages, delivered or not, so against an endpoint that keeps failing
// the map would otherwise grow by one entry per message for good.
func (d *Deliverer) forgetGone(pending []glacier.Notification) {
	if len(d.retry) == 0 {
		return
	}
	live := make(map[string]bool, len(pending))
	for _, n := range pending {
		live[n.ID] = true
	}
	maps.DeleteFunc(d.retry, func(id string, _ time.Time) bool { return !live[id] })
}
